package vuln

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"vigil/internal/registry"
)

func TestZZDbg(t *testing.T) {
	for _, l := range strings.Split(os.Getenv("DBG"), ";") {
		f := strings.Split(l, "|")
		if len(f) < 5 {
			continue
		}
		adv := accuracyAdvisory(t, f[0])
		d := registry.Device{ID: 1, Vendor: f[1], Model: f[2], Firmware: f[3]}
		n := 0
		for _, m := range MatchOne(adv, DeviceTarget(d), 0.01) {
			if m.CVE == f[4] {
				n++
				fmt.Printf("%s %q %q %q: %.2f %s\n", f[0], f[1], f[2], f[3], m.Confidence, m.Evidence.Reason)
			}
		}
		if n == 0 {
			fmt.Printf("%s %q %q %q: none\n", f[0], f[1], f[2], f[3])
		}
	}
}
