// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package account

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"vigil/internal/errs"
)

// TOTP parameters: RFC 6238 defaults, which every authenticator app
// supports.
const (
	totpPeriod = 30
	totpDigits = otp.DigitsSix
)

// TOTPKey is a freshly generated second factor, shown once to be enrolled.
type TOTPKey struct {
	// Secret is the base32 secret (typed in by hand).
	Secret string
	// URL is the otpauth:// URL the QR code encodes.
	URL string
	// QR is the QR code as a PNG data: URL.
	QR string
}

// NewTOTP generates a second factor for account name at issuer.
func NewTOTP(issuer, name string) (TOTPKey, error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: name, Period: totpPeriod, Digits: totpDigits})
	if err != nil {
		return TOTPKey{}, err
	}
	img, err := k.Image(200, 200)
	if err != nil {
		return TOTPKey{}, err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return TOTPKey{}, err
	}
	return TOTPKey{Secret: k.Secret(), URL: k.URL(), QR: "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())}, nil
}

// TOTPStep returns the time step of a code that is valid for secret at
// now (one step of clock drift either way is accepted), or an invalid
// error naming field "code". Callers refuse a step not greater than the
// last one used, so that a code cannot be replayed.
func TOTPStep(secret, code string, now time.Time) (int64, error) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 {
		return 0, errs.FieldKeyed("code", "", "totp.digits", "must be the 6 digits your authenticator app shows")
	}
	for _, d := range []int64{0, -1, 1} {
		at := now.Add(time.Duration(d*totpPeriod) * time.Second)
		ok, err := totp.ValidateCustom(code, secret, at, totp.ValidateOpts{Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
		if err == nil && ok {
			return at.Unix() / totpPeriod, nil
		}
	}
	return 0, errs.FieldKeyed("code", "", "totp.wrong", "the code is wrong or has expired")
}

// TOTPCode returns the code for secret at t (tests and the demo use it).
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
}
