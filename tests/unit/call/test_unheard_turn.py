"""A barge-in the Realtime server's VAD never heard: the machine closes the caller's turn itself.

Our detector can commit on speech quieter than the server's VAD threshold (or a short "stop" the
server takes for noise). Without the server's `speech_started` / `speech_stopped`, no reply
would ever be asked for and the caller would sit in silence until the silence prompt.
"""

from __future__ import annotations

from agentlocator.call import commands as cmd
from agentlocator.call import events as ev
from agentlocator.call.barge_in import BargeInSettings, KnobPolicy
from agentlocator.call.barge_in_flow import UNHEARD_TURN_MS
from agentlocator.call.conversation import Conversation, ConversationConfig
from agentlocator.call.speech_watch import SpeechWatch
from agentlocator.voice.detector import SILENT, DetectorResult

AUDIO = bytes(i % 251 for i in range(16000))  # two seconds of agent audio


class QuietLine:
    """A detector that hears nothing (the test feeds the speech events itself)."""

    def process(self, frame: bytes, now_ms: float) -> DetectorResult:
        del frame, now_ms
        return SILENT

    def push_agent_audio(self, audio: bytes, sent_at_ms: float) -> None:
        pass

    def discard_unplayed(self, now_ms: float) -> None:
        pass


def talking_agent() -> Conversation:
    config = ConversationConfig(greeting="שלום", lead_ms=200.0, chunk_ms=100.0)
    watch = SpeechWatch(QuietLine())
    conversation = Conversation(config, KnobPolicy(BargeInSettings(cooldown_ms=0)), watch)
    conversation.handle(ev.CallStarted(), 0)
    conversation.handle(ev.SessionConfigured(), 0)
    conversation.handle(ev.ReplyCreated("resp_1"), 0)
    conversation.handle(ev.ReplyDone("resp_1", "completed"), 5)
    conversation.handle(ev.ReplyAudioReceived("resp_1", "item_1", AUDIO), 10)
    conversation.handle(ev.ReplyCreated("resp_2"), 20)  # a second reply is generating
    return conversation


def barge_in(conversation: Conversation, at_ms: float) -> list[cmd.Command]:
    conversation.handle(ev.SpeechSuspected(), at_ms - 300)
    conversation.handle(ev.SpeechLikely(), at_ms - 250)
    return conversation.handle(ev.SpeechConfirmed(), at_ms)


def ticks(conversation: Conversation, start_ms: float, end_ms: float) -> list[cmd.Command]:
    commands: list[cmd.Command] = []
    now = start_ms
    while now <= end_ms:
        commands += conversation.handle(ev.TimerTicked(), now)
        now += 100.0
    return commands


def test_the_machine_closes_a_turn_the_server_never_heard() -> None:
    conversation = talking_agent()
    assert cmd.CancelReply("resp_2") in barge_in(conversation, 600)
    conversation.handle(ev.ReplyDone("resp_2", "cancelled"), 620)
    before = ticks(conversation, 700, 600 + UNHEARD_TURN_MS - 100)
    assert not any(isinstance(c, cmd.CommitCallerTurn | cmd.CreateReply) for c in before)

    after = ticks(conversation, 600 + UNHEARD_TURN_MS, 600 + UNHEARD_TURN_MS + 500)

    assert [type(c) for c in after if not isinstance(c, cmd.LogEvent)] == [
        cmd.CommitCallerTurn,
        cmd.CreateReply,
    ]
    assert "caller_turn_closed_locally" in [c.name for c in after if isinstance(c, cmd.LogEvent)]


def test_a_turn_the_server_heard_is_left_to_the_server() -> None:
    conversation = talking_agent()
    barge_in(conversation, 600)
    conversation.handle(ev.ReplyDone("resp_2", "cancelled"), 620)
    conversation.handle(ev.CallerSpeechStarted("item_u", 400), 700)  # the server's VAD, later

    later = ticks(conversation, 700, 600 + UNHEARD_TURN_MS + 1000)

    assert not any(isinstance(c, cmd.CommitCallerTurn) for c in later)
    replies = conversation.handle(ev.CallerSpeechStopped("item_u"), 3200)
    assert cmd.CreateReply() in replies  # answered once, on the server's turn


def test_no_turn_is_closed_while_the_caller_still_talks() -> None:
    conversation = talking_agent()
    barge_in(conversation, 600)
    conversation.handle(ev.ReplyDone("resp_2", "cancelled"), 620)
    assert conversation.watch is not None
    conversation.watch._is_suspected = True  # our detector still hears the caller

    held = ticks(conversation, 700, 600 + UNHEARD_TURN_MS + 500)

    assert not any(isinstance(c, cmd.CommitCallerTurn) for c in held)
