"""The FAQ: the file operators write (``load_faq``) and the index that matches questions to it."""

from bot.faq.loader import load_faq
from bot.faq.model import Faq, FaqEntry

__all__ = ["Faq", "FaqEntry", "load_faq"]
