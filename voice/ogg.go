// Package voice handles voice notes: reading Ogg/Opus headers to bound a
// note's length before any decoding, speech-to-text and text-to-speech
// backends, and the transcoding they need. It never runs on the webhook
// path; the worker calls it.
package voice

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// OpusInfo is what the Ogg/Opus headers say about a note.
type OpusInfo struct {
	Channels int
	PreSkip  int
	Duration time.Duration
	Pages    int
}

// ErrNotOggOpus means the bytes are not a well-formed Ogg/Opus stream:
// another format, a truncated download, or corruption.
var ErrNotOggOpus = errors.New("voice: not a valid Ogg/Opus stream")

// opusRate is Opus's granule rate: granule positions count 48 kHz samples
// whatever the input rate was (RFC 7845).
const opusRate = 48000

// ParseOggOpus walks the Ogg pages (RFC 3533), checking each page's CRC,
// reads the OpusHead packet, and computes the duration from the last
// page's granule position minus the pre-skip. It reads headers only, so a
// long note costs microseconds.
func ParseOggOpus(b []byte) (OpusInfo, error) {
	var info OpusInfo
	var last int64 = -1
	var serial uint32
	for off := 0; off < len(b); {
		if len(b)-off < 27 || string(b[off:off+4]) != "OggS" || b[off+4] != 0 {
			return info, fmt.Errorf("%w: no page at byte %d", ErrNotOggOpus, off)
		}
		nseg := int(b[off+26])
		if len(b)-off < 27+nseg {
			return info, fmt.Errorf("%w: truncated page header", ErrNotOggOpus)
		}
		size := 0
		for _, l := range b[off+27 : off+27+nseg] {
			size += int(l)
		}
		end := off + 27 + nseg + size
		if end > len(b) {
			return info, fmt.Errorf("%w: truncated page", ErrNotOggOpus)
		}
		page := b[off:end]
		if binary.LittleEndian.Uint32(page[22:26]) != oggCRC(page) {
			return info, fmt.Errorf("%w: page %d fails its checksum", ErrNotOggOpus, info.Pages)
		}
		s := binary.LittleEndian.Uint32(page[14:18])
		if info.Pages == 0 {
			serial = s
			body := page[27+nseg:]
			if len(body) < 19 || string(body[:8]) != "OpusHead" {
				return info, fmt.Errorf("%w: first packet is not OpusHead", ErrNotOggOpus)
			}
			info.Channels = int(body[9])
			info.PreSkip = int(binary.LittleEndian.Uint16(body[10:12]))
		} else if s != serial {
			return info, fmt.Errorf("%w: more than one logical stream", ErrNotOggOpus)
		}
		if g := int64(binary.LittleEndian.Uint64(page[6:14])); g != -1 {
			last = g
		}
		info.Pages++
		off = end
	}
	if info.Pages == 0 {
		return info, fmt.Errorf("%w: empty", ErrNotOggOpus)
	}
	if samples := last - int64(info.PreSkip); samples > 0 {
		info.Duration = time.Duration(samples) * time.Second / opusRate
	}
	return info, nil
}

var crcTable = func() [256]uint32 {
	var t [256]uint32
	for i := range t {
		r := uint32(i) << 24
		for j := 0; j < 8; j++ {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04c11db7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return t
}()

// oggCRC is Ogg's CRC-32 (polynomial 0x04c11db7, no reflection) of a page
// with its checksum field taken as zero.
func oggCRC(page []byte) uint32 {
	var crc uint32
	for i, c := range page {
		if i >= 22 && i < 26 {
			c = 0
		}
		crc = crc<<8 ^ crcTable[byte(crc>>24)^c]
	}
	return crc
}
