"""LearnLoop: what did we learn from our community last week, and where did it go?"""

__version__ = "0.1.0"
