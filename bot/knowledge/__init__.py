"""The knowledge base: loading and validating curated entries, and fuzzy retrieval over them.

Nothing here imports discord: the command line, the tests and the benchmarks use it directly.
"""

from bot.knowledge.loader import KnowledgeError, Problem, bundled_knowledge_dir, load_knowledge
from bot.knowledge.model import Entry, KnowledgeBase, Section
from bot.knowledge.search import Confidence, Match, SearchIndex, SearchResult

__all__ = [
    "Confidence",
    "Entry",
    "KnowledgeBase",
    "KnowledgeError",
    "Match",
    "Problem",
    "SearchIndex",
    "SearchResult",
    "Section",
    "bundled_knowledge_dir",
    "load_knowledge",
]
