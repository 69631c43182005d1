#!/usr/bin/env bash
# Install the Debian packages the assistant and its tests need, only those that are missing.
#   libportaudio2  sounddevice (playback in the TUI, live dictation)
#   espeak-ng      regenerating the sample dictations (samples/generate.py)
#   ffmpeg         regenerating the sample dictations (resampling, FLAC/Opus/MP3/AAC encoding)
#   alsa-utils     the PortAudio integration test's fake microphone (ALSA file plugin)
#   tmux           the TUI test that drives the app in a real terminal
set -euo pipefail
packages=(libportaudio2 espeak-ng ffmpeg alsa-utils libasound2-plugins tmux)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "Missing system packages (${missing[*]}); install them with your package manager." >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; else
    echo "Missing system packages (${missing[*]}); run: sudo apt-get install ${missing[*]}" >&2
    exit 0
  fi
fi
echo "Installing system packages: ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
