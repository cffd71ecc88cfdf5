"""For development: every message is logged (logger "postroom.messaging") and counts as sent."""

import json
import logging

from .base import Backend, Outcome, Outgoing

logger = logging.getLogger("postroom.messaging")


class ConsoleBackend(Backend):
    max_batch = 100

    def send(self, batch: list[Outgoing]) -> list[Outcome]:
        outcomes = []
        for message in batch:
            # The essentials in the text too: a worker's log shows the text, not the extra fields.
            logger.info(
                "message sent to the console: %s %s from %s to %s: %s",
                message.message_key,
                message.channel,
                message.sender,
                message.address,
                message.body if message.payload is None else json.dumps(message.payload),
                extra={
                    "message_key": message.message_key,
                    "channel": message.channel,
                    "sender": message.sender,
                    "address": message.address,
                    "body": message.body,
                    "payload": message.payload,
                },
            )
            outcomes.append(Outcome.sent(message.message_key))
        return outcomes
