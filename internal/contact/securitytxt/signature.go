// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package securitytxt

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// checkSignature parses the OpenPGP cleartext signature of a signed file
// (RFC 9116 §2.3, RFC 4880 §7) and verifies it when a keyring is known.
// sectxt stops at parsing; verification adds invalid_signature,
// signature_verified and signature_unverified.
func (v *validator) checkSignature(raw []byte) {
	block, _ := clearsign.Decode(raw)
	if block == nil || block.ArmoredSignature == nil || block.ArmoredSignature.Type != "PGP SIGNATURE" {
		v.r.add(CodePGPDataError, 0, "No valid OpenPGP cleartext-signature framework was found (RFC 4880 §7): check the BEGIN/END lines, the Hash header and dash-escaping.")
		return
	}
	sig, err := io.ReadAll(block.ArmoredSignature.Body)
	if err != nil {
		v.r.add(CodePGPError, 0, fmt.Sprintf("The signature armor does not decode: %v.", err))
		return
	}
	p, err := packet.Read(bytes.NewReader(sig))
	if err != nil {
		v.r.add(CodePGPSignatureError, 0, fmt.Sprintf("The signature packet is malformed: %v.", err))
		return
	}
	s, ok := p.(*packet.Signature)
	if !ok {
		v.r.add(CodePGPSignatureError, 0, fmt.Sprintf("The signature block holds a %T packet, not a signature.", p))
		return
	}
	issuer := "an unknown key"
	switch {
	case s.IssuerFingerprint != nil:
		issuer = fmt.Sprintf("key %X", s.IssuerFingerprint)
	case s.IssuerKeyId != nil:
		issuer = fmt.Sprintf("key ID %016X", *s.IssuerKeyId)
	}
	if v.opts.Keyring == nil {
		v.r.add(CodeSignatureUnverified, 0, fmt.Sprintf("The file is signed by %s, but no public key was available to verify it.", issuer))
		return
	}
	cfg := &packet.Config{Time: v.opts.Now}
	_, signer, err := openpgp.VerifyDetachedSignature(v.opts.Keyring, bytes.NewReader(block.Bytes), bytes.NewReader(sig), cfg)
	src := v.opts.KeySource
	if src == "" {
		src = "the given keyring"
	}
	switch {
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		v.r.add(CodeSignatureUnverified, 0, fmt.Sprintf("The file is signed by %s, which is not among the keys of %s.", issuer, src))
	case err != nil:
		v.r.add(CodeInvalidSignature, 0, fmt.Sprintf("The OpenPGP signature by %s does not verify with %s: %v. The file may have been altered.", issuer, src, err))
	default:
		fp := fmt.Sprintf("%X", signer.PrimaryKey.Fingerprint)
		v.r.Signer = fp
		v.r.add(CodeSignatureVerified, 0, fmt.Sprintf("The OpenPGP signature verifies with key %s from %s.", fp, src))
	}
}
