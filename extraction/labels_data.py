"""Label lexicon data for `extraction.labels`: printed EN / DE / FR (and some NL) phrases.

`HEADER_LABELS` (header fields), `COLUMN_LABELS` (line-table column headers) and
`DOC_TYPE_CUES` (phrases the classifier looks for, strong vs weak) are plain registries keyed
by the canonical names of `extraction.model`; extend them by adding phrases.  Phrases are
written as printed and separated by ``|``.  Names starting with ``_`` are known non-target
labels (see `extraction.labels`).
"""
from __future__ import annotations

__all__ = ["HEADER_LABELS", "COLUMN_LABELS", "DOC_TYPE_CUES"]


def _p(phrases: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in phrases.split("|") if p.strip())


_VAT_GENERIC = (
    "VAT ID | VAT ID No | VAT No | VAT Number | VAT Reg No | VAT Reg. No. | VAT Registration No |"
    "VAT Registration Number | VAT Identification Number | VAT-ID | Tax ID | Tax ID No |"
    "Tax Reg No | Tax Registration No | GST No | GST Reg No | GST Registration No | GSTIN |"
    "USt-IdNr. | USt-ID | USt.-ID | USt-Id-Nr. | UStIdNr | USt-Ident-Nr. | Ust-IdNr |"
    "Umsatzsteuer-ID | Umsatzsteuer-IdNr. | Umsatzsteuer-Identifikationsnummer | UID | UID-Nr. |"
    "MwSt-Nr. | MWST-Nr. | USt-Nr. | N° TVA | N° de TVA | Numéro de TVA | Numéro TVA |"
    "TVA intracommunautaire | N° TVA intracommunautaire | N° de TVA intracommunautaire |"
    "Numéro de TVA intracommunautaire | N° d'identification TVA | Identifiant TVA |"
    "TVA intracom | N° TVA intracom | N° intracommunautaire | IDE TVA"
)

# Header fields (see extraction.model.HEADER_FIELDS) -> printed labels.
HEADER_LABELS: dict[str, tuple[str, ...]] = {
    "invoice_number": _p(
        "Invoice No | Invoice Number | Invoice # | Inv. No. | Inv # | Invoice | Invoice ID | "
        "Invoice Ref | Invoice Reference | Tax Invoice No | Tax Invoice Number | Bill No | "
        "Bill Number | Document No | Document Number | Credit Note No | Credit Note Number | "
        "Credit Memo No | Credit Memo Number | Rechnungsnummer | Rechnungs-Nr. | Rechnungsnr. | "
        "Rechnung Nr. | Rechnung | Re-Nr. | Re.-Nr. | Rg.-Nr. | RG-Nr. | Rechn.-Nr. | "
        "Belegnummer | Beleg-Nr. | Gutschriftsnummer | Gutschrift Nr. | Gutschrift-Nr. | "
        "Gutschrift | N° de facture | Numéro de facture | Facture n° | Facture | No. facture | "
        "N° facture | Numéro | N° d'avoir | Numéro d'avoir | Avoir n° | Avoir | "
        "Factuurnummer | Factuur nr | Factuurnr | Factuur | Creditnota nr | Creditnotanummer | "
        "Receipt No | Receipt Number | Booking ID | Booking No | Booking Number"),
    "issue_date": _p(
        "Invoice Date | Date | Date of issue | Issue Date | Issued | Issued on | Document Date | "
        "Inv. Date | Tax Point | Tax Point Date | Billing Date | Credit Note Date | "
        "Rechnungsdatum | Rechnungs-Datum | Datum | Belegdatum | Ausstellungsdatum | "
        "Gutschriftsdatum | Datum der Rechnung | Date de facture | Date facture | "
        "Date de la facture | Date d'émission | Émise le | Émis le | Le | Fait le | "
        "Date de l'avoir | Beleg-Datum | Factuurdatum | Datum factuur | Factuur datum"),
    "due_date": _p(
        "Due Date | Due | Payment due | Payment Due Date | Due by | Due on | Pay by | "
        "Payable by | Date due | Fällig am | Fällig | Fällig bis | Fälligkeit | "
        "Fälligkeitsdatum | Zahlbar bis | Zahlbar bis zum | Zahlbar am | Zahlungsziel | "
        "Date d'échéance | Échéance | Date limite de paiement | À payer avant le | Payable le | "
        "Payable avant le | Vervaldatum | Vervaldag | Uiterste betaaldatum | Fälligkeitstag | "
        "Fällig zum | Please remit until | Please remit by | Payable until"),
    "po_number": _p(
        "PO Number | PO No | PO # | P.O. No | P.O. Number | PO | PO Ref | Purchase Order | "
        "Purchase Order No | Purchase Order Number | Order No | Order Number | Order # | Order | "
        "Order Ref | Order Reference | Your order | Your order no | Your PO | Your PO No | "
        "Customer PO | Customer PO No | Customer Order No | Buyer Order No | Bestellnummer | "
        "Bestell-Nr. | Bestellnr. | Bestellung | Bestellung Nr. | Ihre Bestellung | "
        "Ihre Bestellnummer | Ihre Bestell-Nr. | Auftragsnummer | Auftrags-Nr. | Auftrag | "
        "Auftrag Nr. | Ihr Auftrag | Ihre Auftragsnummer | N° de commande | Numéro de commande | "
        "Commande n° | Bon de commande | Bon de commande n° | Votre commande | "
        "Votre commande n° | Votre bon de commande | Commande | Réf. commande | "
        "Référence commande | N° BC | Ordernummer | Bestelnummer | Order nr | "
        "Votre référence | Votre réf."),
    "order_date": _p(
        "Order Date | Date of order | PO Date | Purchase Order Date | Date | Datum | "
        "Bestelldatum | Auftragsdatum | Datum der Bestellung | Date de commande | "
        "Date de la commande | Commande du | Le"),
    "delivery_date": _p(
        "Delivery Date | Delivery | Date of delivery | Ship Date | Shipping Date | "
        "Requested Delivery Date | Required by | Need by | Deliver by | Delivery by | "
        "Lieferdatum | Liefertermin | Lieferung bis | Lieferzeitpunkt | Leistungsdatum | "
        "Liefer-/Leistungsdatum | Wunschtermin | Date de livraison | Livraison le | "
        "Date de livraison souhaitée | Délai de livraison | Livraison | À livrer le | "
        "Livrer le | Livraison le | Livraison souhaitée le"),
    "total_net": _p(
        "Subtotal | Sub-total | Sub Total | Net | Net amount | Net total | Total net | "
        "Total net amount | Total excl. VAT | Total excluding VAT | Total excl. tax | "
        "Total before tax | Amount excl. VAT | Net value | Nettobetrag | Netto | Summe netto | "
        "Nettosumme | Netto-Summe | Zwischensumme | Gesamtbetrag netto | Gesamt netto | "
        "Warenwert | Nettowarenwert | Rechnungsbetrag netto | Summe Positionen | Total HT | "
        "Montant HT | Total hors taxes | Montant hors taxes | Sous-total | Net HT | Base HT | "
        "Total H.T. | Rechnungssumme ohne USt. | Summe ohne USt. | Gesamt ohne MwSt. | "
        "Subtotaal | Totaal excl. BTW | Totaal exclusief BTW | Netto bedrag | "
        "Total Amount Without VAT | Total without VAT | Amount without VAT | Exclusief BTW | "
        "Excl. BTW | Grondslag | Gesamtbeitrag | Nettobeitrag"),
    "total_tax": _p(
        "VAT | VAT amount | Total VAT | Tax | Tax amount | Total tax | Sales Tax | GST | HST | "
        "GST amount | Plus VAT | MwSt. | Mehrwertsteuer | USt. | Umsatzsteuer | zzgl. | "
        "zzgl. MwSt. | zzgl. USt. | zuzüglich MwSt. | zzgl. Umsatzsteuer | inkl. MwSt. | "
        "enthaltene MwSt. | MwSt.-Betrag | Steuer | Steuerbetrag | Summe MwSt. | Summe USt. | "
        "TVA | Montant TVA | Montant de la TVA | Total TVA | Taxe | Taxes | T.V.A. | BTW | "
        "BTW bedrag | Totaal BTW | Total VAT Amount | Total Tax Amount | Versicherungsteuer | "
        "Versicherungssteuer | enthaltene Versicherungsteuer"),
    "total_gross": _p(
        "Total | Grand Total | Total amount | Invoice total | Invoice amount | Total incl. VAT | "
        "Total including VAT | Gross amount | Gross total | Total gross | Total value | "
        "Credit total | Total credit | Gesamtbetrag | Gesamtsumme | Gesamt | Summe | "
        "Bruttobetrag | Brutto | Rechnungsbetrag | Rechnungssumme | Endbetrag | "
        "Gesamtbetrag brutto | Gesamtbetrag inkl. MwSt. | Summe brutto | Gutschriftsbetrag | "
        "Total TTC | Montant TTC | Total toutes taxes comprises | Montant total | "
        "Montant total TTC | Total facture | Total général | Montant de l'avoir | "
        "Credit amount | Total credited | Gesamtgutschrift | Total crédité | Montant crédité | "
        "Totaal | Totaal incl. BTW | Totaalbedrag | Factuurbedrag | Total Gross Amount | "
        "Total Amount With VAT | Total with VAT | Bruttosumme | Rechnungssumme brutto | "
        "Rechnungsbeitrag"),
    "amount_due": _p(
        "Amount due | Balance due | Total due | Amount payable | Total payable | Balance | "
        "Please pay | Amount to pay | Payable amount | Due amount | Outstanding | "
        "Outstanding amount | Outstanding balance | Zahlbetrag | Zu zahlen | "
        "Zu zahlender Betrag | Offener Betrag | Offen | Restbetrag | Fälliger Betrag | "
        "Zahlungsbetrag | Bitte zahlen Sie | Net à payer | Reste à payer | Montant à payer | "
        "Montant dû | Solde dû | Solde | Total à payer | À payer | Montant restant dû | "
        "Te betalen | Openstaand bedrag | Residual | Residual amount | Remaining amount | "
        "Amount remaining | Restant dû | Zu zahlender Beitrag | Due payable"),
    "currency": _p(
        "Currency | Curr. | Currency code | Invoice currency | Währung | Währungscode | Devise | "
        "Monnaie | Devise de facturation"),
    "seller_name": _p(
        "From | Supplier | Vendor | Seller | Supplier name | Vendor name | Issued by | Sold by | "
        "Remit to | Payee | Beneficiary | Lieferant | Verkäufer | Absender | Rechnungssteller | "
        "Auftragnehmer | Leistungserbringer | Fournisseur | Vendeur | Émetteur | Prestataire | "
        "Rechnungsersteller | Leverancier"),
    "seller_address": _p(
        "Supplier address | Vendor address | Seller address | Our address | Address | "
        "Remit to address | Anschrift | Adresse | Lieferantenadresse | Adresse du fournisseur | "
        "Siège social"),
    "seller_vat_id": _p(
        _VAT_GENERIC +
        "| Our VAT ID | Our VAT No | Supplier VAT ID | Supplier VAT No | Seller VAT ID | "
        "Vendor VAT ID | Unsere USt-IdNr. | Notre N° TVA | N° TVA fournisseur"),
    "buyer_vat_id": _p(
        _VAT_GENERIC +
        "| Your VAT ID | Your VAT No | Customer VAT ID | Customer VAT No | Buyer VAT ID | "
        "Client VAT | Ihre USt-IdNr. | USt-IdNr. des Kunden | USt-IdNr. Kunde | "
        "Kunden-USt-IdNr. | Votre N° TVA | N° TVA client | TVA client"),
    "seller_iban": _p(
        "IBAN | IBAN No | IBAN Code | IBAN-Nr. | Account IBAN | Bank account | Bankverbindung | "
        "Bank details | Banking details | Coordonnées bancaires | RIB | Compte bancaire | "
        "Verkäufer-IBAN | Seller IBAN | Supplier IBAN | Payee IBAN | IBAN du vendeur"),
    "buyer_name": _p(
        "Bill to | Billed to | Bill-to | Invoice to | Invoiced to | Sold to | Customer | "
        "Customer name | Buyer | Purchaser | Ordered by | Client | Client name | "
        "Billing address | Invoice address | Rechnungsempfänger | Rechnungsadresse | "
        "Rechnungsanschrift | Kunde | Käufer | Auftraggeber | Besteller | Facturé à | "
        "Facturer à | Adresse de facturation | Acheteur | Commandé par | "
        "Destinataire de la facture | Factuuradres"),
    "ship_to": _p(
        "Ship to | Ship-to | Shipping address | Ship to address | Deliver to | "
        "Delivery address | Delivery to | Consignee | Goods recipient | Lieferadresse | "
        "Lieferanschrift | Lieferung an | Warenempfänger | Versandadresse | Lieferort | "
        "Anlieferadresse | Adresse de livraison | Livrer à | Lieu de livraison | Livraison à | "
        "Destinataire | Afleveradres"),
    "payer_name": _p(
        "Payer | Paid by | Payer name | Remitter | Remitted by | Ordering party | From | "
        "Customer | Debtor | Zahler | Zahlungspflichtiger | Auftraggeber | Absender | "
        "Schuldner | Payeur | Émetteur | Donneur d'ordre | Client | Débiteur | Betaler"),
    "payment_date": _p(
        "Payment date | Date of payment | Value date | Paid on | Payment made on | "
        "Execution date | Transfer date | Date | Zahlungsdatum | Zahldatum | Valuta | "
        "Valutadatum | Wertstellung | Ausführungsdatum | Überweisungsdatum | Datum | "
        "Date de paiement | Date de valeur | Date du paiement | Date de règlement | "
        "Date du virement | Date d'exécution | Payé le | Réglé le | Ausgeführt am | "
        "Überwiesen am | Betaaldatum"),
    "payment_reference": _p(
        "Payment reference | Payment ref | Payment No | Payment number | Payment ID | "
        "Remittance No | Remittance number | Remittance reference | Remittance advice No | "
        "Advice No | Advice number | Advice reference | Transaction reference | Transaction ID | "
        "Transfer reference | Cheque No | Check No | Check number | Reference | Ref | "
        "Our reference | Zahlungsreferenz | Zahlungs-Nr. | Zahlungsnummer | Avis-Nr. | "
        "Avisnummer | Zahlungsavis Nr. | Referenz | Unsere Referenz | Überweisungsreferenz | "
        "Scheck-Nr. | Référence de paiement | Réf. paiement | N° d'avis | Numéro d'avis | "
        "N° de paiement | Référence du virement | Référence virement | N° de chèque | "
        "Référence | Réf. | Notre référence | Verwendungszweck | Réf. virement | "
        "Betalingskenmerk"),
    "payment_amount": _p(
        "Payment amount | Total paid | Amount paid | Total payment | Payment total | Amount | "
        "Total amount | Total | Amount remitted | Remittance amount | Transfer amount | "
        "Zahlbetrag | Zahlungsbetrag | Überweisungsbetrag | Überwiesener Betrag | "
        "Gezahlter Betrag | Gesamtbetrag | Betrag | Summe | Montant du paiement | "
        "Montant réglé | Montant payé | Montant du virement | Montant viré | Total réglé | "
        "Total payé | Montant | Montant total | Amount transferred | Transferred amount | "
        "Überwiesen | Betaald bedrag"),
    # ---- known non-target labels: shadow shorter generic labels, never extracted.
    "_customer_number": _p(
        "Customer No | Customer Number | Customer ID | Customer # | Customer account | "
        "Account No | Account Number | Kundennummer | Kunden-Nr. | Kundennr. | Kd.-Nr. | "
        "Kunden-ID | Debitor | Debitorennummer | N° client | Numéro client | Code client | "
        "Réf. client | Client n° | Klantnummer | Klant nr | Klant | Debiteurnummer"),
    "_supplier_number": _p(
        "Supplier No | Supplier ID | Vendor No | Vendor ID | Vendor number | Lieferantennummer | "
        "Lieferanten-Nr. | N° fournisseur | Code fournisseur"),
    "_tax_number": _p(
        "Steuernummer | Steuer-Nr. | St.-Nr. | StNr | Tax number | Finanzamt"),
    "_company_id": _p(
        "SIRET | SIREN | N° SIRET | RCS | Code APE | APE | NAF | Company No | Company number | "
        "Company Reg No | Registered No | Registration No | Reg. No. | Handelsregister | HRB | "
        "HRA | Registergericht | Amtsgericht | Geschäftsführer | Managing Director | EORI | "
        "DUNS | Capital social | Stammkapital"),
    "_bank": _p(
        "BIC | SWIFT | SWIFT code | BIC/SWIFT | Swift/BIC | Sort code | BLZ | Bank code | "
        "Routing No | Code BIC | Bank | Bank name | Kreditinstitut | Banque | Domiciliation | "
        "Kontonummer | Konto-Nr. | Verkäufer-BIC | Verkäufer-Kontoname | Käufer-IBAN | "
        "Buyer IBAN | Debtor IBAN | Payer IBAN | IBAN des Zahlungspflichtigen"),
    "_contact": _p(
        "Phone | Tel | Telephone | Fax | Email | E-mail | Web | Website | Internet | Telefon | "
        "Mobil | Téléphone | Courriel | Contact | Ansprechpartner | Bearbeiter | "
        "Sachbearbeiter | Interlocuteur | Page | Seite"),
    "_payment_terms": _p(
        "Payment terms | Terms | Terms of payment | Payment method | Zahlungsbedingungen | "
        "Zahlungsbedingung | Zahlungsart | Conditions de paiement | Conditions de règlement | "
        "Mode de règlement | Mode de paiement"),
    "_delivery_note": _p(
        "Delivery note | Delivery note No | Packing slip | Lieferschein | Lieferschein-Nr. | "
        "Lieferscheinnummer | Bon de livraison | BL n° | N° BL | Shipment No | Tracking No"),
    "_other_reference": _p(
        "Réf. facture | Sur facture | Original invoice | Original invoice no | Relates to invoice | "
        "Ursprungsrechnung | Bezug auf Rechnung | Facture d'origine | Facture d'origine n° | "
        "Your reference | Your ref | Buyer reference | Ihr Zeichen | Unser Zeichen | "
        "Ihre Referenz | Leitweg-ID | "
        # the preceding invoice a correction or credit note refers to (EN 16931 BT-25/26)
        "Facture associée | N° de facture associée | Date de facture associée | "
        "Facture précédente | N° de facture précédente | Date de facture précédente | "
        "Preceding invoice | Preceding invoice no | Preceding invoice date | "
        "Related invoice | Related invoice no | Original invoice date | "
        "Vorherige Rechnung | Datum der Ursprungsrechnung | Datum der vorherigen Rechnung"),
    "_period": _p(
        "Period | Billing period | Service period | Invoice period | Leistungszeitraum | "
        "Abrechnungszeitraum | Période | Période de facturation"),
    "_other_total": _p(
        "Total discount | Total quantity | Total qty | Total weight | Total items | "
        "Total pieces | Total pages | Gesamtgewicht | Gesamtmenge | Gesamtrabatt | Poids total | "
        "Total remise | Print date | Druckdatum | Gesamtbetrag der Zuschläge | "
        "Gesamtbetrag der Abschläge | Gesamtbetrag der Zuschläge/Abschläge | Summe Zuschläge | "
        "Summe Abschläge | Positionssumme | Erhaltene Anzahlungen | Anzahlung | Anzahlungen | "
        "Prepaid amount | Paid amount | Acompte | Déjà payé | Vorauszahlung"),
}

# Line fields (see extraction.model.LINE_FIELDS) -> column headers.
COLUMN_LABELS: dict[str, tuple[str, ...]] = {
    "sku": _p(
        "Item | Item No | Item Number | Item # | Item Code | Article | Article No | Art. No. | "
        "SKU | Part No | Part Number | Part # | Product Code | Product No | Product ID | "
        "Material | Material No | Catalog No | Cat. No. | Ref | Code | Art.-Nr. | "
        "Artikelnummer | Artikel-Nr. | Art.Nr. | ArtNr | Materialnummer | Material-Nr. | "
        "Sachnummer | Teilenummer | Réf. | Référence | Code article | Code produit | "
        "N° article | Article n° | Référence article | Your part no | Supplier part no | "
        "Vendor part no | EAN | GTIN"),
    "description": _p(
        "Description | Item | Item Description | Product | Product description | Service | "
        "Services | Details | Particulars | Designation | Bezeichnung | Beschreibung | Artikel | "
        "Artikelbezeichnung | Artikelbeschreibung | Leistung | Leistungsbeschreibung | Produkt | "
        "Text | Désignation | Libellé | Produit | Prestation | Article description | Omschrijving"),
    "quantity": _p(
        "Qty | Quantity | Quantity ordered | Qty ordered | Order Qty | Ordered | Qty shipped | "
        "Shipped | Units | Pcs | Menge | Anzahl | Anz. | Stück | Stk | Bestellmenge | "
        "Liefermenge | Qté | Qte | Quantité | Nombre | Nb | Quantité commandée | Qté commandée | "
        "Aantal"),
    "unit": _p(
        "Unit | UoM | U/M | Unit of measure | Einheit | ME | Mengeneinheit | Unité | UM | "
        "Unité de mesure"),
    "unit_price": _p(
        "Unit Price | Price | Rate | Unit cost | Price per unit | Price/Unit | Net price | "
        "Each | Price each | Unit Price excl. VAT | Einzelpreis | E-Preis | EP | Preis | "
        "Stückpreis | Preis/Einheit | Preis pro Einheit | Nettopreis | Einzelpreis netto | "
        "Prix unitaire | P.U. | P.U. HT | PU HT | PU | Prix unitaire HT | Prix | Prix HT | Tarif | "
        "Prijs | Prijs per stuk | Stukprijs"),
    "line_total": _p(
        "Amount | Total | Line Total | Line Amount | Net Amount | Gross amount | "
        "Extended Price | Ext. Price | Extension | Total Price | Net | Value | Gesamtpreis | "
        "Betrag | Gesamt | Summe | Positionsbetrag | Positionswert | Nettobetrag | Wert | "
        "Gesamtbetrag | G-Preis | GP | Montant | Total HT | Montant HT | Montant TTC | "
        "Prix total | Total ligne | Montant total | Entgelt | Bedrag | Totaal | Prijs incl. BTW"),
    "tax_rate": _p(
        "VAT % | VAT Rate | Tax % | Tax Rate | VAT | Tax | GST % | MwSt % | MwSt.-Satz | "
        "MwSt-Satz | MwSt | Steuersatz | Steuer % | USt % | USt-Satz | USt.-Satz | USt | TVA % | "
        "Taux TVA | Taux de TVA | Taux | TVA | Code TVA"),
    "invoice_number": _p(
        "Invoice | Invoice No | Invoice Number | Inv No | Invoice # | Your reference | "
        "Your ref | Your invoice | Your invoice no | Document | Document No | Doc No | "
        "Reference | Ref | Rechnung | Rechnungsnummer | Rechnungs-Nr. | Re-Nr. | Beleg | "
        "Beleg-Nr. | Belegnummer | Ihre Rechnung | Ihre Referenz | Ihr Beleg | "
        "Ihre Belegnummer | Facture | N° facture | N° de facture | Votre facture | "
        "Votre référence | Référence | Pièce | N° pièce"),
    "amount_paid": _p(
        "Paid | Amount paid | Payment | Paid amount | Payment amount | Amount | Net paid | "
        "Net amount paid | Bezahlt | Zahlbetrag | Zahlung | Gezahlt | Bezahlter Betrag | "
        "Überweisungsbetrag | Betrag | Montant payé | Réglé | Montant réglé | Payé | Règlement | "
        "Montant"),
    "discount": _p(
        "Discount | Discount taken | Cash discount | Early payment discount | Disc. | Skonto | "
        "Skontobetrag | Rabatt | Escompte | Remise"),
    "deduction": _p(
        "Deduction | Deductions | Short pay | Short payment | Adjustment | Withholding | Abzug | "
        "Abzüge | Kürzung | Einbehalt | Déduction | Retenue | Ajustement"),
    "deduction_reason": _p(
        "Reason | Reason code | Deduction reason | Comment | Remarks | Grund | Abzugsgrund | "
        "Bemerkung | Kürzungsgrund | Motif | Commentaire | Motif de déduction"),
    # ---- known non-target columns
    "_position": _p(
        "Pos | Position | Line | Line No | Lfd. Nr. | Ligne"),
    "_invoice_amount": _p(
        "Invoice amount | Invoice total | Original amount | Rechnungsbetrag | Ursprungsbetrag | "
        "Montant facture | Montant de la facture"),
    "_invoice_date": _p(
        "Invoice date | Document date | Date | Rechnungsdatum | Belegdatum | Datum | "
        "Date facture | Date de facture | Date de la facture | Date pièce"),
    "_discount_rate": _p(
        "Disc % | Discount % | Rabatt % | Remise % | Skonto %"),
}

# Document-type cue phrases: strong = a title / unambiguous; weak = supporting evidence.
DOC_TYPE_CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "invoice": {
        "strong": _p(
            "Invoice | Tax Invoice | Commercial Invoice | VAT Invoice | Rechnung | "
            "Steuerrechnung | Facture | Facture commerciale | Factuur | "
            "Rechnungskorrektur | Korrekturrechnung | Corrected invoice"),
        "weak": _p(
            "Invoice No | Invoice Date | Amount due | Balance due | Due date | Rechnungsnummer | "
            "Rechnungsdatum | Zahlbar bis | Fällig am | Zahlungsbedingungen | Payment terms | "
            "Net à payer | Total TTC | Date d'échéance | N° de facture"),
    },
    "credit_note": {
        "strong": _p(
            "Credit Note | Credit Memo | Credit Invoice | Gutschrift | "
            "Stornorechnung | Avoir | Facture d'avoir | Note de crédit | Creditnota"),
        "weak": _p(
            "Credit | Credited | Refund | Original invoice | Storno | Erstattung | "
            "Ursprungsrechnung | Remboursement | Facture d'origine"),
    },
    "purchase_order": {
        "strong": _p(
            "Purchase Order | Bestellung | Bestellschein | Einkaufsbestellung | Bon de commande"),
        "weak": _p(
            "Order | Order Date | Auftrag | Bestelldatum | Commande | Date de commande | "
            "Delivery Date | Liefertermin | Date de livraison | Ship to | Lieferadresse | "
            "Please deliver | Bitte liefern Sie | Merci de livrer"),
    },
    "remittance": {
        "strong": _p(
            "Remittance Advice | Payment Advice | Payment Notification | Remittance | "
            "Zahlungsavis | Überweisungsavis | Avis de paiement | Avis de virement | "
            "Avis de règlement"),
        "weak": _p(
            "Payment date | Value date | Amount paid | Total paid | Zahlungsdatum | Valuta | "
            "Überwiesen | Date de valeur | Montant réglé | We have paid | Nous avons réglé"),
    },
}
