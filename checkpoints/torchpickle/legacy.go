package torchpickle

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
)

// The legacy torch.save stream (torch < 1.6, or _use_new_zipfile_serialization=False) is five pickles
// followed by raw storages: the magic number, the protocol version (1001), a sys-info dict, the object (a
// state dict whose storages are persistent ids ('storage', type, key, location, numel, view_metadata)), and
// the list of storage keys; then, for each key of that list in order, an 8-byte little-endian element count
// and the storage's elements in little-endian order.

// legacyMagic is torch's MAGIC_NUMBER 0x1950a86a20f9469cfc6c as pickle's little-endian LONG1 bytes.
var legacyMagic = bigInt([]byte{0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19})

// legacyProtocolVersion is torch's PROTOCOL_VERSION of the legacy format.
const legacyProtocolVersion = 1001

// Legacy is what the pickles of a legacy torch.save stream say.
type Legacy struct {
	// Entries are the state dict's tensors, in pickle order.
	Entries []Entry
	// Storages are the storages in the order their records follow DataOffset.
	Storages []*Storage
	// DataOffset is where the first storage record begins.
	DataOffset int64
}

// IsLegacy reports whether data starts like a legacy torch.save stream: a pickle PROTO opcode followed,
// possibly after a FRAME, by the LONG1 of the magic number.
func IsLegacy(data []byte) bool {
	if len(data) < 2 || data[0] != 0x80 {
		return false
	}
	rest := data[2:]
	if len(rest) > 0 && rest[0] == 0x95 && len(rest) >= 9 {
		rest = rest[9:]
	}
	return bytes.HasPrefix(rest, append([]byte{0x8a, byte(len(legacyMagic))}, legacyMagic...))
}

// ParseLegacy runs the restricted unpickler over the pickles of a legacy torch.save stream (data holds at
// least all of them; the storage records may follow) and checks that they fit together.
func ParseLegacy(data []byte) (*Legacy, error) {
	storages := map[string]*Storage{}
	u := newTorchUnpickler(data, storages)
	u.bigInts = true
	header := func(what string, check func(v any) error) error {
		v, err := u.run()
		if err == nil {
			err = check(v)
		}
		if err != nil {
			return fmt.Errorf("legacy torch.save %s: %w", what, err)
		}
		return nil
	}
	if err := header("magic number", func(v any) error {
		if v != any(legacyMagic) {
			return errors.New("not a torch.save file")
		}
		return nil
	}); err != nil {
		return nil, err
	}
	u.bigInts = false
	if err := header("protocol version", func(v any) error {
		if v != any(int64(legacyProtocolVersion)) {
			return fmt.Errorf("unsupported version %v (want %d)", v, legacyProtocolVersion)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := header("sys info", func(v any) error {
		if _, ok := v.(*pickleDict); !ok {
			return fmt.Errorf("a %s, not a dict", pickleTypeName(v))
		}
		return nil
	}); err != nil {
		return nil, err
	}
	entries, _, err := parseStateDict(u)
	if err != nil {
		return nil, fmt.Errorf("legacy torch.save state dict: %w", err)
	}
	l := &Legacy{Entries: entries}
	err = header("storage keys", func(v any) error {
		keys, ok := v.(*pickleList)
		if !ok {
			return fmt.Errorf("a %s, not a list", pickleTypeName(v))
		}
		for _, k := range keys.items {
			key, ok := k.(string)
			s := storages[key]
			switch {
			case !ok:
				return fmt.Errorf("a key is a %s, not a string", pickleTypeName(k))
			case s == nil:
				return fmt.Errorf("key %q names no storage of the state dict", key)
			case slices.Contains(l.Storages, s):
				return fmt.Errorf("key %q listed twice", key)
			}
			l.Storages = append(l.Storages, s)
		}
		if len(l.Storages) != len(storages) {
			return fmt.Errorf("%d keys for %d storages", len(l.Storages), len(storages))
		}
		return nil
	})
	l.DataOffset = int64(u.pos)
	return l, err
}
