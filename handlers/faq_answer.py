"""FAQ answering: answer when sure, offer numbered choices when unsure, silence otherwise.

Choices the matcher offers on meaning alone (``MatchResult.tentative``) do not end the dispatch: the
unanswered recorder and the fallback run after them as after silence."""

from __future__ import annotations

from datetime import timedelta

from bot.context import Context, PendingChoice
from bot.dispatch import Outcome, reply
from bot.events import Event, Message, MessageType
from handlers.replies import choices_text, reply_to


class FaqAnswer:
    name = "faq"

    def handle(self, event: Event, ctx: Context) -> Outcome | None:
        if not isinstance(event, Message) or event.type != MessageType.TEXT or not event.text.strip():
            return None
        addressed = event.mentions_bot or event.is_direct
        result = ctx.faq.match(event.text, addressed=addressed)
        ctx.scratch["match"] = result
        if result.action == "answer" and result.entry is not None:
            ctx.scratch["answered"] = result.entry.id
            return reply(reply_to(event, result.entry.answer, "faq", result.entry.id))
        if result.action == "suggest" and result.suggestions:
            entries = tuple(result.suggestions[:3])
            expires = ctx.now + timedelta(minutes=ctx.config.matching.choice_minutes)
            ctx.memory.choices[(event.room or "", event.sender)] = PendingChoice(entries, expires, event.id)
            choices = reply_to(event, choices_text(entries), "suggest")
            if result.tentative:
                # offered on meaning alone: still unanswered for the operators, and the fallback still
                # says when a person replies
                return reply(choices, stop=False)
            ctx.scratch["answered"] = "suggest"
            return reply(choices)
        return None
