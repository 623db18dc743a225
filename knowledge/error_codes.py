"""The codes of the refusals raised by the knowledge app's services: stable names the
farmers' app switches on (exposed as GraphQL enums); the message beside each code is for
people, in their language."""

from enum import StrEnum


class KnowledgeErrorCode(StrEnum):
    ARTICLE_REQUIRED = "article_required"
    BODY = "body"
    CAPTION = "caption"
    DECISION = "decision"
    INVALID_CROP = "invalid_crop"
    INVALID_MONTH = "invalid_month"
    INVALID_ORIGINAL = "invalid_original"
    NAIVE_TIME = "naive_time"
    NOT_A_QUESTION = "not_a_question"
    QUESTION_TO_ANSWER = "question_to_answer"
    REASON_REQUIRED = "reason_required"
    REGION = "region"
    REVIEWED = "reviewed"
    SLUG = "slug"
    SLUG_TAKEN = "slug_taken"
    SUMMARY = "summary"
    TITLE = "title"
    TOO_MANY_PENDING = "too_many_pending"
