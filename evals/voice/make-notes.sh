#!/usr/bin/env bash
# Makes the voice eval's notes: espeak-ng speaks each case's reference text
# in its language and ffmpeg encodes it like a WhatsApp voice note
# (Ogg/Opus, mono, 48 kHz). voice.jsonl names each file, its reference
# text, language and expected service. Rerun after editing a case.
set -euo pipefail
cd "$(dirname "$0")"
python3 - <<'PY'
import json, subprocess
voices = {"te": "te", "hi": "hi", "en": "en-us"}
for line in open("voice.jsonl", encoding="utf-8"):
    c = json.loads(line)
    wav = subprocess.run(["espeak-ng", "-v", voices[c["lang"]], "-s", "150", "--stdout", c["text"]], check=True, capture_output=True).stdout
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", "pipe:0", "-ac", "1", "-ar", "48000",
                    "-c:a", "libopus", "-b:a", "16k", "-application", "voip", "-f", "ogg", c["audio"]], input=wav, check=True)
PY
