// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// productMessages are the texts of a maker's product pages: key →
// {English, Dutch}.
func productMessages() map[string][2]string {
	return map[string][2]string{
		"nav.products":        {"Products", "Producten"},
		"products.title":      {"Products", "Producten"},
		"products.intro":      {"The products your organisation makes: register each model with its firmware version, then start its assessment against EN 303 645. They are the organisation's devices, so an SBOM uploaded for one is matched against the advisories too.", "De producten die uw organisatie maakt: registreer elk model met zijn firmwareversie en start dan de beoordeling volgens EN 303 645. Het zijn de apparaten van de organisatie, dus een SBOM die u voor een product uploadt, wordt ook met de adviezen vergeleken."},
		"products.caption":    {"Products of %s", "Producten van %s"},
		"products.product":    {"Product", "Product"},
		"products.ids":        {"CPE / package URL", "CPE / pakket-URL"},
		"products.latest":     {"Newest assessment", "Nieuwste beoordeling"},
		"products.unassessed": {"Not assessed yet.", "Nog niet beoordeeld."},
		"products.none":       {"No products registered yet.", "Nog geen producten geregistreerd."},
		"products.add":        {"Register a product", "Product registreren"},
		"products.added":      {"The product was registered. Start its assessment below.", "Het product is geregistreerd. Start hieronder de beoordeling."},
		"products.vendor":     {"Vendor", "Fabrikant"},
		"products.model":      {"Model", "Model"},
		"products.firmware":   {"Firmware version", "Firmwareversie"},
		"products.cpe":        {"CPE (optional)", "CPE (niet verplicht)"},
		"products.cpe.help":   {"CPE 2.3, e.g. cpe:2.3:h:axis:m3106:-:*:*:*:*:*:*:*", "CPE 2.3, bijv. cpe:2.3:h:axis:m3106:-:*:*:*:*:*:*:*"},
		"products.purl":       {"Package URL (optional)", "Pakket-URL (niet verplicht)"},
		"products.purl.help":  {"A purl, e.g. pkg:generic/axis/m3106@10.12", "Een purl, bijv. pkg:generic/axis/m3106@10.12"},
		"products.described":  {"Assessed as", "Beoordeeld als"},
		"product.title":       {"Product", "Product"},
		"product.assessments": {"Assessments of this product, newest first", "Beoordelingen van dit product, nieuwste eerst"},
		"product.assess":      {"Start an assessment of this product", "Beoordeling van dit product starten"},
		"product.edit":        {"Description", "Beschrijving"},
		"product.edit.help":   {"Correct the product's description or record a new firmware version. Assessments and labels keep the description they were made with.", "Verbeter de beschrijving van het product of leg een nieuwe firmwareversie vast. Beoordelingen en labels houden de beschrijving waarmee ze zijn gemaakt."},
		"product.save":        {"Save the description", "Beschrijving bewaren"},
		"product.saved":       {"The description was saved.", "De beschrijving is bewaard."},
	}
}
