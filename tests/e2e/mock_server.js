// A Wechaty puppet service on loopback for qunbot's e2e test: wechaty-puppet-mock served over gRPC by
// wechaty-puppet-service (no TLS), so python-wechaty talks the real protocol to a current server.
//
//   PORT=12345 TOKEN=any node mock_server.js
//
// stdout carries JSON lines only: {"event":"listening"}, then {"event":"call",...} for every
// messageSendText / roomAnnounce / roomTopic / contactSelfName the bot makes (the mock itself
// returns no message id and stores no announcement). Logs go to stderr.
import { PuppetMock, mock } from 'wechaty-puppet-mock'
import { PuppetServer } from 'wechaty-puppet-service'

const port = Number(process.env.PORT || 0)
if (!port) {
  console.error('set PORT')
  process.exit(2)
}
const token = process.env.TOKEN || 'e2e-token'
const BOT_NAME = process.env.BOT_NAME || '星火小助手'
const QUESTION = process.env.QUESTION || '怎么开发票'
const OPERATOR_TEXT = process.env.OPERATOR_TEXT || ''

const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')

const mocker = new mock.Mocker()
const bot = mocker.createContact({ id: 'wxid_bot', name: BOT_NAME })
const asker = mocker.createContact({ id: 'wxid_asker', name: '小雨' })
const operator = mocker.createContact({ id: 'wxid_op', name: '运营小王' })
const room = mocker.createRoom({
  id: '20001@chatroom',
  topic: '星火写作营3期',
  memberIdList: [bot.id, asker.id, operator.id],
  ownerId: bot.id,
})

// The Python client calls stop() then start(), and may reconnect: the scenario runs on every start.
let armed = false
mocker.use((m) => {
  armed = true
  m.login(bot)
  out({ event: 'login', contactId: bot.id })
  // a real puppet says "ready" once its contacts and rooms are loaded; the mock never does
  const ready = setTimeout(() => m.puppet.emit('ready', { data: 'ready' }), 200)
  return () => { armed = false; clearTimeout(ready) }
})

const puppet = new PuppetMock({ mocker })

// Ask once the client listens: it loads the bot's own contact right after it receives `login`
// on its event stream (events sent before the stream is open are lost).
const contactPayload = puppet.contactPayload.bind(puppet)
puppet.contactPayload = async (id) => {
  if (armed && id === bot.id) {
    armed = false
    setTimeout(() => {
      asker.say(`@${BOT_NAME}\u2005${QUESTION}`, [bot]).to(room)
      out({ event: 'asked', room: room.id, talker: asker.id })
      if (OPERATOR_TEXT) {
        setTimeout(() => {
          operator.say(OPERATOR_TEXT).to(room)
          out({ event: 'operator_said', room: room.id })
        }, 300)
      }
    }, 500)
  }
  return contactPayload(id)
}

const messageSendText = puppet.messageSendText.bind(puppet)
puppet.messageSendText = async (conversationId, text, mentionIdList) => {
  out({ event: 'call', method: 'messageSendText', conversationId, text, mentionIdList: mentionIdList || [] })
  await messageSendText(conversationId, text)
  return `sent-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`
}

const roomAnnounce = puppet.roomAnnounce.bind(puppet)
const announcements = new Map()
puppet.roomAnnounce = async (roomId, text) => {
  out({ event: 'call', method: 'roomAnnounce', roomId, text: text === undefined ? null : text })
  if (text !== undefined) {
    announcements.set(roomId, text)
    return
  }
  return announcements.get(roomId) ?? roomAnnounce(roomId)
}

const roomTopic = puppet.roomTopic.bind(puppet)
puppet.roomTopic = async (roomId, topic) => {
  out({ event: 'call', method: 'roomTopic', roomId, topic: topic === undefined ? null : topic })
  return roomTopic(roomId, topic)
}

const contactSelfName = puppet.contactSelfName.bind(puppet)
puppet.contactSelfName = async (name) => {
  out({ event: 'call', method: 'contactSelfName', name })
  return contactSelfName(name)
}

const server = new PuppetServer({ endpoint: `127.0.0.1:${port}`, puppet, token, tls: { disable: true } })
await server.start()
out({ event: 'listening', port })

const shutdown = async () => {
  try { await server.stop() } catch (e) { console.error(e) }
  process.exit(0)
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
