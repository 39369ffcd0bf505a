// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// devicesMessages are the texts of devices and their SBOMs: key → {English, Dutch}.
func devicesMessages() map[string][2]string {
	return map[string][2]string{
		"devices.title":          {"Devices", "Apparaten"},
		"devices.caption":        {"Devices of %s", "Apparaten van %s"},
		"devices.device":         {"Device", "Apparaat"},
		"devices.vendor":         {"Vendor", "Fabrikant"},
		"devices.model":          {"Model", "Model"},
		"devices.firmware":       {"Firmware version", "Firmwareversie"},
		"devices.serial":         {"Serial number", "Serienummer"},
		"devices.location":       {"Location", "Locatie"},
		"devices.cpe":            {"CPE (optional)", "CPE (niet verplicht)"},
		"devices.none":           {"No devices registered yet.", "Nog geen apparaten geregistreerd."},
		"devices.add":            {"Add a device", "Apparaat toevoegen"},
		"devices.added":          {"The device was added. Upload its SBOM to see its vulnerabilities.", "Het apparaat is toegevoegd. Upload de SBOM om de kwetsbaarheden te zien."},
		"devices.deleted":        {"The device was deleted, with its components.", "Het apparaat is verwijderd, met zijn onderdelen."},
		"device.delete":          {"Delete", "Verwijderen"},
		"device.title":           {"Device", "Apparaat"},
		"device.vulns":           {"Known vulnerabilities", "Bekende kwetsbaarheden"},
		"device.novulns":         {"No known vulnerability matches this device or its components.", "Geen bekende kwetsbaarheid past bij dit apparaat of zijn onderdelen."},
		"device.component":       {"Device or component", "Apparaat of onderdeel"},
		"device.sbom":            {"Software bill of materials", "Softwarestuklijst (SBOM)"},
		"device.sbom.intro":      {"Upload a CycloneDX (JSON or XML) or SPDX 2.3 (JSON or tag-value) file; it replaces the device's components, which are matched against the advisories.", "Upload een CycloneDX- (JSON of XML) of SPDX 2.3-bestand (JSON of tag-value); het vervangt de onderdelen van het apparaat, die worden vergeleken met de adviezen."},
		"device.sbom.file":       {"SBOM file", "SBOM-bestand"},
		"device.sbom.upload":     {"Upload", "Uploaden"},
		"device.sbom.done":       {"SBOM imported", "SBOM ingelezen"},
		"device.sbom.format":     {"Format", "Formaat"},
		"device.sbom.components": {"Components", "Onderdelen"},
		"device.sbom.new":        {"New vulnerabilities", "Nieuwe kwetsbaarheden"},
		"device.sbom.resolved":   {"Resolved", "Opgelost"},
		"device.sbom.errors":     {"Kept without an identifier:", "Bewaard zonder identificatie:"},
	}
}
