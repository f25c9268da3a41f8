// Verifies Parley's transparency-log output with Go's golang.org/x/mod/sumdb/note and
// golang.org/x/mod/sumdb/tlog (an implementation that is not Parley's). Run offline with Debian's
// source: GO111MODULE=off GOPATH=/usr/share/gocode go run ./main.go input.json
// Reads a JSON description written by tlog.interop.test.ts, prints one JSON result, exits 1 on
// any disagreement.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type input struct {
	Origin      string   `json:"origin"`
	LogVkey     string   `json:"logVkey"`
	Checkpoint  string   `json:"checkpoint"`
	WitnessVkey string   `json:"witnessVkey"`
	Leaves      []string `json:"leaves"`
	TileDir     string   `json:"tileDir"`
	Inclusion   []struct {
		Index int64    `json:"index"`
		Size  int64    `json:"size"`
		Proof []string `json:"proof"`
	} `json:"inclusion"`
	Consistency []struct {
		Old   int64    `json:"old"`
		New   int64    `json:"new"`
		Proof []string `json:"proof"`
	} `json:"consistency"`
	Roots   map[string]string `json:"roots"`
	GoSkey  string            `json:"goSkey"`
	GoText  string            `json:"goText"`
	Corrupt string            `json:"corruptCheckpoint"`
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "go interop: "+format+"\n", args...)
	os.Exit(1)
}

func hashOf(s string) tlog.Hash {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		fail("bad hash %q", s)
	}
	var h tlog.Hash
	copy(h[:], b)
	return h
}

// cosigVerifier checks c2sp.org/tlog-cosignature v1 (type 0x04) signatures with crypto/ed25519:
// Go's note package knows only type 0x01, so this is the independent check of Parley's cosignatures.
type cosigVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func (v *cosigVerifier) Name() string    { return v.name }
func (v *cosigVerifier) KeyHash() uint32 { return v.hash }
func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	ts := binary.BigEndian.Uint64(sig[:8])
	m := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", ts)), msg...)
	return ed25519.Verify(v.key, m, sig[8:])
}

func newCosigVerifier(vkey string) *cosigVerifier {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		fail("bad witness vkey")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 33 || raw[0] != 0x04 {
		fail("witness vkey is not a 0x04 Ed25519 key")
	}
	h := sha256.Sum256(append([]byte(parts[0]+"\n\x04"), raw[1:]...))
	id := binary.BigEndian.Uint32(h[:4])
	if fmt.Sprintf("%08x", id) != parts[1] {
		fail("witness vkey id %s, Go computes %08x", parts[1], id)
	}
	return &cosigVerifier{name: parts[0], hash: id, key: ed25519.PublicKey(raw[1:])}
}

type dirTiles struct{ dir string }

func (d dirTiles) Height() int { return 8 }
func (d dirTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		// Go's paths carry the height (tile/8/L/N); C2SP's do not (tile/L/N).
		p := strings.Replace(t.Path(), "tile/8/", "tile/", 1)
		b, err := ioutil.ReadFile(filepath.Join(d.dir, p))
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}
func (d dirTiles) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

func main() {
	raw, err := ioutil.ReadFile(os.Args[1])
	if err != nil {
		fail("%v", err)
	}
	var in input
	if err := json.Unmarshal(raw, &in); err != nil {
		fail("%v", err)
	}
	result := map[string]interface{}{}

	// 1. The checkpoint: Go's note.Open with the log's vkey and the witness cosignature verifier.
	logV, err := note.NewVerifier(in.LogVkey)
	if err != nil {
		fail("log vkey: %v", err)
	}
	wit := newCosigVerifier(in.WitnessVkey)
	n, err := note.Open([]byte(in.Checkpoint), note.VerifierList(logV, wit))
	if err != nil {
		fail("note.Open: %v", err)
	}
	signedBy := map[string]bool{}
	for _, s := range n.Sigs {
		signedBy[fmt.Sprintf("%s+%08x", s.Name, s.Hash)] = true
	}
	if !signedBy[fmt.Sprintf("%s+%08x", logV.Name(), logV.KeyHash())] || !signedBy[fmt.Sprintf("%s+%08x", wit.name, wit.hash)] {
		fail("checkpoint lacks the log signature or the witness cosignature: %v", signedBy)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) < 3 || lines[0] != in.Origin {
		fail("checkpoint body %q", n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("size: %v", err)
	}
	root := hashOf(lines[2])
	if in.Corrupt != "" {
		if _, err := note.Open([]byte(in.Corrupt), note.VerifierList(logV, wit)); err == nil {
			fail("a corrupted checkpoint opened")
		}
		result["corruptRejected"] = true
	}

	// 2. Stored hashes computed by Go from the entries; tree hash equals the checkpoint's root.
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	for i, l := range in.Leaves {
		data, err := base64.StdEncoding.DecodeString(l)
		if err != nil {
			fail("leaf %d: %v", i, err)
		}
		hs, err := tlog.StoredHashes(int64(i), data, reader)
		if err != nil {
			fail("StoredHashes: %v", err)
		}
		stored = append(stored, hs...)
	}
	if int64(len(in.Leaves)) != size {
		fail("checkpoint size %d, %d leaves", size, len(in.Leaves))
	}
	th, err := tlog.TreeHash(size, reader)
	if err != nil || th != root {
		fail("Go's tree hash %v differs from the checkpoint root %v (%v)", th, root, err)
	}
	for k, v := range in.Roots {
		s, _ := strconv.ParseInt(k, 10, 64)
		h, err := tlog.TreeHash(s, reader)
		if err != nil || h != hashOf(v) {
			fail("root of size %d differs", s)
		}
	}

	// 3. Parley's tiles are byte-for-byte Go's tiles, and Go's tile reader verifies them.
	// NewTiles lists every width a growing partial tile went through; a C2SP log serves the
	// partial tile of the current size only, so compare the widest of each.
	widest := map[[2]int64]int{}
	all := tlog.NewTiles(8, 0, size)
	for _, t := range all {
		k := [2]int64{int64(t.L), t.N}
		if t.W > widest[k] {
			widest[k] = t.W
		}
	}
	tiles := 0
	for _, t := range all {
		if t.W != widest[[2]int64{int64(t.L), t.N}] {
			continue
		}
		want, err := tlog.ReadTileData(t, reader)
		if err != nil {
			fail("ReadTileData: %v", err)
		}
		p := strings.Replace(t.Path(), "tile/8/", "tile/", 1)
		got, err := ioutil.ReadFile(filepath.Join(in.TileDir, p))
		if err != nil || !bytes.Equal(got, want) {
			fail("tile %s differs from Go's (%v)", p, err)
		}
		tiles++
	}
	tr := tlog.TileHashReader(tlog.Tree{N: size, Hash: root}, dirTiles{in.TileDir})
	if h, err := tlog.TreeHash(size, tr); err != nil || h != root {
		fail("TileHashReader over Parley's tiles: %v", err)
	}

	// 4. Parley's inclusion and consistency proofs, checked by Go and equal to Go's own.
	for _, p := range in.Inclusion {
		var proof tlog.RecordProof
		for _, h := range p.Proof {
			proof = append(proof, hashOf(h))
		}
		th, err := tlog.TreeHash(p.Size, reader)
		if err != nil {
			fail("%v", err)
		}
		if err := tlog.CheckRecord(proof, p.Size, th, p.Index, stored[tlog.StoredHashIndex(0, p.Index)]); err != nil {
			fail("CheckRecord(%d of %d): %v", p.Index, p.Size, err)
		}
		mine, err := tlog.ProveRecord(p.Size, p.Index, tr)
		if err != nil || len(mine) != len(proof) {
			fail("ProveRecord(%d of %d) over tiles differs: %v", p.Index, p.Size, err)
		}
		for i := range mine {
			if mine[i] != proof[i] {
				fail("ProveRecord(%d of %d) differs at %d", p.Index, p.Size, i)
			}
		}
	}
	for _, c := range in.Consistency {
		var proof tlog.TreeProof
		for _, h := range c.Proof {
			proof = append(proof, hashOf(h))
		}
		newH, _ := tlog.TreeHash(c.New, reader)
		oldH, _ := tlog.TreeHash(c.Old, reader)
		if err := tlog.CheckTree(proof, c.New, newH, c.Old, oldH); err != nil {
			fail("CheckTree(%d→%d): %v", c.Old, c.New, err)
		}
	}

	// 5. Go signs with a signer key Parley generated, for Parley to verify.
	if in.GoSkey != "" {
		s, err := note.NewSigner(in.GoSkey)
		if err != nil {
			fail("NewSigner(Parley's skey): %v", err)
		}
		signed, err := note.Sign(&note.Note{Text: in.GoText}, s)
		if err != nil {
			fail("%v", err)
		}
		result["goSigned"] = string(signed)
	}
	result["ok"] = true
	result["tiles"] = tiles
	result["inclusion"] = len(in.Inclusion)
	result["consistency"] = len(in.Consistency)
	out, _ := json.Marshal(result)
	fmt.Println(string(out))
}
