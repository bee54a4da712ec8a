#!/usr/bin/env bash
# Makes the voice-note fixtures: espeak-ng speaks a request in Telugu, Hindi
# and English, ffmpeg encodes it the way WhatsApp sends voice notes
# (Ogg/Opus, mono, 48 kHz). Also a silent note. Rerun after changing a text.
set -euo pipefail
cd "$(dirname "$0")"
speak() { # name voice text
  espeak-ng -v "$2" -s 150 --stdout "$3" |
    ffmpeg -hide_banner -loglevel error -y -i pipe:0 -ac 1 -ar 48000 -c:a libopus -b:a 16k -application voip -f ogg "$1.ogg"
  printf '%s\n' "$3" > "$1.txt"
}
speak te-income "te" "నాకు ఆదాయ ధృవీకరణ పత్రం కావాలి"
speak hi-income "hi" "मुझे आय प्रमाण पत्र चाहिए"
speak en-caste "en-us" "I need a caste certificate"
ffmpeg -hide_banner -loglevel error -y -f lavfi -i anullsrc=r=48000:cl=mono -t 2 -c:a libopus -b:a 16k -f ogg silence.ogg
