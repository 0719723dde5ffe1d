"""High-level entry points used by the tools."""
from .demo import run_demo

__all__ = ['run_demo']
