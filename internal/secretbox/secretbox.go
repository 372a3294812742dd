// Package secretbox encrypts secrets at rest (variable values, storage keys) with AES-256-GCM under a key
// kept in a 0600 file in the engine's data directory.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
)

// Box seals and opens secrets.
type Box struct{ aead cipher.AEAD }

// LoadOrCreate reads the 32-byte key at path, creating it (mode 0600) on first use.
func LoadOrCreate(path string) (*Box, error) {
	key, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, key, 0o600); err != nil {
			return nil, fmt.Errorf("write encryption key %s: %w", path, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read encryption key %s: %w", path, err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("encryption key %s has %d bytes, want 32: restore the original file", path, len(key))
	}
	return New(key)
}

// New returns a Box over a 32-byte key.
func New(key []byte) (*Box, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext into a printable string (base64 of nonce and ciphertext).
func (b *Box) Seal(plaintext string) (string, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b.aead.Seal(nonce, nonce, []byte(plaintext), nil)), nil
}

// Open decrypts what Seal produced.
func (b *Box) Open(sealed string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < b.aead.NonceSize() {
		return "", errors.New("secretbox: malformed sealed value")
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", errors.New("secretbox: cannot decrypt (wrong key?)")
	}
	return string(plain), nil
}
