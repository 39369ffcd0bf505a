// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package fakedevice

import (
	"bytes"
	"fmt"
	"net"
)

// startSSDP answers every M-SEARCH datagram like a miniupnpd router.
func (d *Device) startSSDP() (int, error) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	d.addCloser(pc.Close)
	port := pc.LocalAddr().(*net.UDPAddr).Port
	answer := fmt.Sprintf("HTTP/1.1 200 OK\r\n"+
		"CACHE-CONTROL: max-age=120\r\n"+
		"ST: upnp:rootdevice\r\n"+
		"USN: uuid:3c3f5b2e-0000-4a1b-9a5e-00c0ffee0001::upnp:rootdevice\r\n"+
		"EXT:\r\n"+
		"SERVER: Linux/2.6.36 UPnP/1.0 miniupnpd/1.9\r\n"+
		"LOCATION: http://127.0.0.1:%d/rootDesc.xml\r\n\r\n", port)
	d.wg.Go(func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			d.conns.Add(1)
			if bytes.HasPrefix(buf[:n], []byte("M-SEARCH ")) {
				_, _ = pc.WriteTo([]byte(answer), from)
			}
		}
	})
	return port, nil
}
