"""The reference lists (syntaxes, statuses, VAT rates...) that Transverses serves.

They are data, not behaviour: the values are the platform's literals from the
API reference, kept in one place so the deposit check and the list
operations can never disagree.
"""

from __future__ import annotations

__all__ = [
    "CADRES",
    "DEPOSIT_SYNTAXES",
    "FLOW_FORMATS",
    "INVOICE_STATUSES",
    "MODES_DEPOT",
    "MODES_PAIEMENT",
    "VAT_RATES",
]

#: Every ``syntaxeFlux`` accepted by deposer/flux, with what the sandbox does with it:
#: the expected payload ("ubl", "cii", "facturx", "any-xml") or None when it is accepted
#: but cannot be emulated (the flow is then rejected with a technical error that says so).
DEPOSIT_SYNTAXES: dict[str, str | None] = {
    "IN_DP_E1_UBL_INVOICE": "ubl",
    "IN_DP_E1_CII_16B": "cii",
    "IN_DP_E1_CII": "cii",
    "IN_DP_E1_PES_FACTURE": None,
    "IN_DP_E1_XCBL": None,
    "IN_DP_E2_UBL_INVOICE_MIN": "ubl",
    "IN_DP_E2_CII_MIN_16B": "cii",
    "IN_DP_E2_CII_MIN": "cii",
    "IN_DP_E2_PES_FACTURE_MIN": None,
    "IN_DP_E2_CPP_FACTURE_MIN": None,
    "IN_DP_E2_CII_FACTURX": "facturx",
    "IN_DP_PDFARCHIVE_UBL_INVOICE_MUG": "ubl",
    "IN_DP_PDFARCHIVE_CII_MUG": "cii",
}

#: Interface codes shown in integration reports (CR file names look like FSO1100A_CPP001_<flux>).
INTERFACE_CODES = {"ubl": "FSO1100A", "cii": "FSO1106A", "facturx": "FSO1117A"}

FLOW_FORMATS = {
    "IN_DP_E1_STRUCT": [s for s in DEPOSIT_SYNTAXES if s.startswith("IN_DP_E1_")],
    "IN_DP_E2_MIXTE": [s for s in DEPOSIT_SYNTAXES if s.startswith("IN_DP_E2_") and "FACTURX" not in s],
    "IN_DP_E2_FACTURX": ["IN_DP_E2_CII_FACTURX"],
}

INVOICE_STATUSES = [
    "BROUILLON",
    "INTERPRETEE_OCR",
    "DEPOSEE",
    "EN_COURS_ACHEMINEMENT",
    "MISE_A_DISPOSITION",
    "PRISE_EN_COMPTE_DESTINATAIRE",
    "SERVICE_FAIT",
    "MANDATEE",
    "MISE_A_DISPOSITION_COMPTABLE",
    "COMPTABILISEE",
    "MISE_EN_PAIEMENT",
    "A_RECYCLER",
    "SUSPENDUE",
    "COMPLETEE",
    "REJETEE",
    "SUPPRIMEE",
    "ABANDONNEE",
]

FLOW_STATES = [
    "IN_RECU",
    "IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP",
    "IN_TRAITE_SE_CPP",
    "IN_EN_ATTENTE_TRAITEMENT_CPP",
    "IN_EN_COURS_TRAITEMENT_CPP",
    "IN_EN_ATTENTE_RETRAITEMENT_CPP",
    "IN_INCIDENTE",
    "IN_REJETE",
    "IN_INTEGRE",
    "IN_INTEGRE_PARTIEL",
]

VAT_RATES = [
    ("TVA0", "Taux 0 %", "0.00"),
    ("TVA2_1", "Taux 2,1 %", "2.10"),
    ("TVA5", "Taux 5,5 %", "5.50"),
    ("TVA10", "Taux 10 %", "10.00"),
    ("TVA20", "Taux 20 %", "20.00"),
    ("TVA8_5", "Taux 8,5 % (DOM)", "8.50"),
]

CURRENCIES = [
    ("EUR", "Euro"),
    ("USD", "Dollar des États-Unis"),
    ("GBP", "Livre sterling"),
    ("CHF", "Franc suisse"),
    ("XPF", "Franc CFP"),
]

COUNTRIES = [
    ("FR", "France"),
    ("BE", "Belgique"),
    ("DE", "Allemagne"),
    ("ES", "Espagne"),
    ("IT", "Italie"),
    ("LU", "Luxembourg"),
    ("CH", "Suisse"),
    ("GB", "Royaume-Uni"),
]

CADRES = [
    "A1_FACTURE_FOURNISSEUR",
    "A2_FACTURE_FOURNISSEUR_DEJA_PAYEE",
    "A3_MEMOIRE_JUSTICE",
    "A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR",
    "A5_ETAT_ACOMPTE_FOURNISSEUR",
    "A6_ETAT_ACOMPTE_VALIDE_FOURNISSEUR",
    "A7_PROJET_DECOMPTE_FINAL_FOURNISSEUR",
    "A8_DECOMPTE_GENERAL_DEFINITIF_FOURNISSEUR",
    "A9_FACTURE_SOUSTRAITANT",
    "A10_PROJET_DECOMPTE_MENSUEL_SOUSTRAITANT",
    "A11_PROJET_DECOMPTE_FINAL_SOUSTRAITANT",
    "A12_FACTURE_COTRAITANT",
    "A13_PROJET_DECOMPTE_MENSUEL_COTRAITANT",
    "A14_PROJET_DECOMPTE_FINAL_COTRAITANT",
    "A15_ETAT_ACOMPTE_MOE",
    "A16_ETAT_ACOMPTE_VALIDE_MOE",
    "A17_PROJET_DECOMPTE_GENERAL_MOE",
    "A18_DECOMPTE_GENERAL_MOE",
    "A19_ETAT_ACOMPTE_VALIDE_MOA",
    "A20_DECOMPTE_GENERAL_MOA",
    "A21_DEMANDE_REMBOURSEMENT_TIC",
    "A22_PROJET_DECOMPTE_GENERAL_FOURNISSEUR_PROCEDURE_TACITE",
    "A23_DECOMPTE_GENERAL_DEFINITIF_TACITE_FOURNISSEUR",
    "A24_DECOMPTE_GENERAL_DEFINITIF_TACITE_MOE",
    "A25_DECOMPTE_GENERAL_DEFINITIF_MOE_PROCEDURE_TACITE",
]

#: Frames of ordinary (non-works) invoices, the only ones ``typeDemandePaiement`` FACTURE offers.
INVOICE_CADRES = [
    "A1_FACTURE_FOURNISSEUR",
    "A2_FACTURE_FOURNISSEUR_DEJA_PAYEE",
    "A9_FACTURE_SOUSTRAITANT",
    "A12_FACTURE_COTRAITANT",
]

MODES_PAIEMENT = ["CHEQUE", "PRELEVEMENT", "VIREMENT", "ESPECE", "AUTRE", "REPORT"]

MODES_DEPOT = [
    "SAISIE_API",
    "DEPOT_PDF_API",
    "DEPOT_PDF_SIGNE_API",
    "SAISIE_PORTAIL",
    "SAISIE_WEB",
    "DEPOT_PDF_PORTAIL",
    "DEPOT_PDF_SIGNE_PORTAIL",
    "PORTAIL_PDF",
    "UPLOAD_PORTAIL",
    "UPLOAD_API",
    "EDI",
    "EDI_XML_STRUCT",
    "EDI_MIXTE",
    "EDI_PDF_ARCHIVE",
    "EDI_NUMERISATION",
]

TYPES_IDENTIFIANT = ["SIRET", "UE_HORS_FRANCE", "HORS_UE", "RIDET", "TAHITI", "AUTRE", "PARTICULIER"]

TYPES_DP = ["FACTURE", "FACTURE_TRAVAUX"]

MOTIFS_EXONERATION = [
    ("EXO_ART_261", "Exonération article 261 du CGI"),
    ("EXO_ART_262", "Exonération article 262 du CGI"),
    ("AUTOLIQUIDATION", "Autoliquidation"),
]
