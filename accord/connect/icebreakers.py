"""Icebreaker questions for coffee chats, written for Accord.

Light on purpose: nothing about performance, health, politics or money, nothing that needs a
confession to answer, and every one works for someone who has never met the other person. A group
stores the index of its question, so add new questions at the end and never reorder or delete.
"""

from __future__ import annotations

import random
from collections.abc import Collection

QUESTIONS: tuple[str, ...] = (
    "What does the view from your desk look like right now?",
    "What is a small thing that made your week better?",
    "Which dish from where you live should the other person try first?",
    "What did you want to be when you were eight years old?",
    "What is something you learned recently that surprised you?",
    "What is the most useful thing on your desk that is not a computer?",
    "If your team had a mascot, what would it be and why?",
    "What is a skill you picked up outside work that turns out to help at work?",
    "Which season is best where you are, and what do people do then?",
    "What was your first job, and what did it teach you?",
    "What is a book, show or podcast you keep recommending to people?",
    "Where is a place nearby that you would take a visitor?",
    "What does a good start to your working day look like?",
    "What is a tradition from your family or town that outsiders find unusual?",
    "What is the best piece of advice a colleague ever gave you?",
    "If you could be fluent in one more language tomorrow, which would you pick?",
    "What is a hobby you dropped and would like to take up again?",
    "What sound do you hear most often while you work?",
    "What was the last thing you made with your hands?",
    "Which app or tool would you miss most if it disappeared tomorrow?",
    "What is a word or saying from your language that has no good translation?",
    "What is something your team does that the rest of the company might not know about?",
    "What is the longest journey you have ever made, and was it worth it?",
    "Tea, coffee, or something else entirely, and how do you take it?",
    "What did you do last weekend that you would happily do again?",
    "What is a question you wish people asked you more often?",
    "Which part of your job would you explain to a ten-year-old, and how?",
    "What is the best meal you have cooked for other people?",
    "What is a local festival or holiday you look forward to every year?",
    "What is a problem you solved recently that you are quietly proud of?",
    "What would your ideal day off look like from morning to night?",
    "Which animal best describes how you work, and why?",
    "What is the most interesting place you have ever worked from?",
    "What is something on your wall or shelf that has a story behind it?",
    "If you had an extra hour every day, what would you spend it on?",
    "What is a habit that makes remote work easier for you?",
    "What music, if any, do you play when you need to concentrate?",
    "What did you learn in your first month here that you wish you had known on day one?",
    "What is a sport or game you could explain the rules of in one minute?",
    "Which city would you most like to spend a month in, and what would you do there?",
    "What is the weather doing where you are, and is it typical?",
    "What is a childhood snack you still enjoy?",
    "What is a small kindness from a stranger that you still remember?",
    "If you could swap jobs with anyone in the company for a day, whose would it be?",
    "What is something you have changed your mind about in the last few years?",
    "What is the best thing about the neighbourhood you live in?",
    "Which plant, pet or person shares your workspace?",
    "What is a movie you can watch again and again?",
    "What is a goal outside work you are working towards this year?",
    "What was the highlight of your last holiday or time off?",
    "What is a task you find oddly satisfying that others tend to dislike?",
    "What is the most surprising thing about the time zone you live in?",
    "Which invention from the last hundred years would you keep if you could keep only one?",
    "What would you put on a poster about your home town?",
    "What is a recent win for your team that deserves more attention?",
    "If you wrote a short guide to your city for newcomers, what would the first tip be?",
)


def pick(rng: random.Random, avoid: Collection[int] = ()) -> int:
    """A question's index, preferring ones the group's people have not been given recently."""
    fresh = [i for i in range(len(QUESTIONS)) if i not in avoid]
    return rng.choice(fresh or range(len(QUESTIONS)))


def text(index: int) -> str:
    return QUESTIONS[index] if 0 <= index < len(QUESTIONS) else QUESTIONS[0]
