"""The default template: Bandai town's digital-office action principles.

Items ask about *observed behaviour in the last month*, not agreement with the slogan, and each
principle has one reverse-worded item (scored reversed) to counter agreeing by habit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DefaultItem:
    """One question of the default template."""

    key: str
    kind: str
    text_ja: str
    text_en: str
    reverse: bool = False
    scale: str = "frequency"


@dataclass(frozen=True)
class DefaultPrinciple:
    """One principle with its items."""

    code: str
    title_ja: str
    title_en: str
    items: tuple[DefaultItem, ...]


def _likert(key: str, ja: str, en: str, reverse: bool = False) -> DefaultItem:
    return DefaultItem(key=key, kind="likert5", text_ja=ja, text_en=en, reverse=reverse)


PRINCIPLES: tuple[DefaultPrinciple, ...] = (
    DefaultPrinciple(
        "citizen", "町民本位でなければなりませぬ", "Put the citizen first",
        (
            _likert("citizen.1", "この1か月、仕事の進め方を決めるとき、町民にとっての使いやすさや負担が話題になった。",
                    "In the last month, when we decided how to do our work, we talked about what it would mean for residents (ease, burden)."),
            _likert("citizen.2", "この1か月、町民の声や問い合わせをもとに、手続きや説明を改善した。",
                    "In the last month, we improved a procedure or an explanation because of residents' feedback or questions."),
            _likert("citizen.3", "この1か月、町民の都合より役場内の都合が優先される場面があった。",
                    "In the last month, there were moments when our internal convenience came before residents' needs.", reverse=True),
        ),
    ),
    DefaultPrinciple(
        "no-excuses", "できない理由を並べてはなりませぬ", "Don't line up reasons why it can't be done",
        (
            _likert("no-excuses.1", "この1か月、新しい提案に対して、まず「どうすればできるか」を話し合った。",
                    "In the last month, when someone proposed something new, we first discussed how it could be done."),
            _likert("no-excuses.2", "この1か月、前例のないことでも、小さく試してみることができた。",
                    "In the last month, we could try something without precedent on a small scale."),
            _likert("no-excuses.3", "この1か月、提案が「前例がない」「規則上難しい」という理由だけで見送られた。",
                    "In the last month, a proposal was dropped only because \"there is no precedent\" or \"the rules make it hard\".", reverse=True),
        ),
    ),
    DefaultPrinciple(
        "no-blame", "失敗を責めてはなりませぬ", "Don't blame failure",
        (
            _likert("no-blame.1", "この1か月、職場で失敗が報告されたとき、原因と次の手を話し合った。",
                    "In the last month, when a mistake was reported at work, we discussed its cause and the next step."),
            _likert("no-blame.2", "この1か月、自分の失敗やヒヤリとしたことを、ためらわずに上司や同僚に伝えられた。",
                    "In the last month, I could tell my manager or colleagues about my own mistakes or near misses without hesitating."),
            _likert("no-blame.3", "この1か月、失敗した人が責められたり、気まずい思いをさせられたりする場面を見た。",
                    "In the last month, I saw someone being blamed or made to feel awkward for a mistake.", reverse=True),
        ),
    ),
    DefaultPrinciple(
        "evidence", "データ・事実と結果を軽視してはなりませぬ", "Don't disregard data, facts and results",
        (
            _likert("evidence.1", "この1か月、施策や業務の判断で、データや事実が根拠として示された。",
                    "In the last month, decisions about our work or policies were backed by data or facts."),
            _likert("evidence.2", "この1か月、取り組みの結果を数字や事実で振り返る機会があった。",
                    "In the last month, we reviewed the results of our work with figures or facts."),
            _likert("evidence.3", "この1か月、データよりも声の大きさや慣習で物事が決まった。",
                    "In the last month, things were decided by who spoke loudest or by habit rather than by data.", reverse=True),
        ),
    ),
)

NPS_ITEM = DefaultItem(
    key="enps", kind="nps11", scale="nps",
    text_ja="この職場で働くことを、親しい知人にどの程度すすめたいと思いますか。",
    text_en="How likely are you to recommend this workplace to a friend?",
)

COMMENT_ITEM = DefaultItem(
    key="comment", kind="comment", scale="text",
    text_ja="行動指針について気づいたことがあれば、自由にお書きください（任意）。個人や係が特定される書き方は避けてください。",
    text_en="Anything you noticed about our principles? (optional) Please avoid details that identify a person or a team.",
)

DEFAULT_SURVEY_NAME = "pulse"
DEFAULT_SURVEY_TITLE_JA = "行動指針パルスサーベイ"
DEFAULT_SURVEY_TITLE_EN = "Action principles pulse survey"
