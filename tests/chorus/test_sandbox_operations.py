"""Every operation the hub uses, against the real sandbox over HTTP."""

from __future__ import annotations

import pytest

from chorusflow.chorus import ChorusAuthError, ChorusFunctionalError
from chorusflow.chorus.models.factures import (
    CompleteInvoiceRequest,
    DepositFlowRequest,
    DepositPdfRequest,
    InvoiceRecipient,
    MainAttachment,
    RecycleInvoiceRequest,
    SupplementaryAttachment,
    SupplierInvoiceSearchRequest,
)
from chorusflow.chorus.models.transverses import (
    ExecutingServiceSearchRequest,
    RecipientSearchRequest,
    UploadAttachmentRequest,
)

from .documents import json_invoice, one_page_pdf, ubl_invoice


def test_directory_operations(sb):
    client, _ = sb.client()
    c = sb.creds
    assert client.transverses.health_check().statusCodeValue == 200
    mine = client.transverses.list_supplier_structures().listeStructures
    assert [(s.idStructureCPP, s.identifiant) for s in mine] == [(c["supplier_id"], c["supplier_siret"])]
    assert client.structures.find_by_siret(c["supplier_siret"]).idStructureCPP == c["supplier_id"]
    assert client.structures.find_by_siret("00000000000000") is None
    recipient = client.structures.get_structure(c["recipient_id"])
    assert recipient.informationGenerales.identifiantStructure == c["recipient_siret"]
    assert recipient.parametres.codeServiceDoitEtreRenseigne is not None
    services = list(client.structures.iter_services(c["recipient_id"], page_size=2))
    assert services and all(s.codeService != "FACTURES_PUBLIQUES" for s in services)
    service = client.structures.get_service(c["recipient_id"], services[0].idService)
    assert service.informationsGenerales.codeService == services[0].codeService
    banks = client.transverses.list_bank_accounts(c["supplier_id"]).listeCoordonneeBancaire
    assert banks and banks[0].idCoordonneeBancaire > 0
    recipients = list(client.transverses.iter_recipients(RecipientSearchRequest(), page_size=2))
    assert c["recipient_siret"] in {r.siret for r in recipients}
    assert len({r.idStructureCPP for r in recipients}) == len(recipients) > 2
    exec_services = list(
        client.transverses.iter_executing_services(
            ExecutingServiceSearchRequest(idDestinataireCPP=c["recipient_id"])
        )
    )
    assert {s.codeServiceExecutant for s in exec_services} >= {s.codeService for s in services}


def test_submit_then_follow_and_download(sb, number):
    client, _ = sb.client()
    c = sb.creds
    num = number()
    sent = client.factures.submit_invoice(json_invoice(num, c["recipient_siret"], c["supplier_id"]))
    assert sent.statutFacture == "DEPOSEE" and sent.identifiantFactureCPP
    found = client.factures.find_supplier_invoices(num)
    assert [f.identifiantFactureCPP for f in found] == [sent.identifiantFactureCPP]
    details = client.factures.get_supplier_invoice(sent.identifiantFactureCPP)
    assert details.facture.numeroFacture == num
    history = client.factures.get_invoice_history(sent.identifiantFactureCPP)
    assert history.statutCourantCode == "DEPOSEE"
    assert "DEPOSEE" in [h.histoStatutCode for h in history.historiquesDesStatuts.histoStatut]
    assert client.factures.download_invoices([sent.identifiantFactureCPP]).content().startswith(b"%PDF")


def test_more_than_ten_invoices_are_all_found(sb, number):
    client, _ = sb.client()
    c = sb.creds
    sent = {
        client.factures.submit_invoice(
            json_invoice(number(), c["recipient_siret"], c["supplier_id"])
        ).identifiantFactureCPP
        for _ in range(23)
    }
    first_page = client.factures.search_supplier_invoices(
        SupplierInvoiceSearchRequest(idFournisseur=c["supplier_id"])
    )
    assert len(first_page.listeFactures) <= 10  # default page size: what other connectors stop at
    for size in (10, 7, 100):
        seen = [
            inv.identifiantFactureCPP
            for inv in client.factures.iter_supplier_invoices(
                SupplierInvoiceSearchRequest(idFournisseur=c["supplier_id"]), page_size=size
            )
        ]
        assert len(seen) == len(set(seen))
        assert sent <= set(seen), f"page size {size} lost {sorted(sent - set(seen))}"


def test_deposit_flow_reports_and_invoices_of_the_flow(sb, number):
    client, _ = sb.client()
    c = sb.creds
    num = number()
    xml = ubl_invoice(num, c["supplier_siret"], c["recipient_siret"])
    deposit = client.factures.deposit_flow(
        DepositFlowRequest.from_bytes(f"{num}.xml", xml, "IN_DP_E1_UBL_INVOICE")
    )
    assert deposit.numeroFluxDepot
    report = client.transverses.get_detailed_flow_report(deposit.numeroFluxDepot)
    assert report.etatCourantDepotFlux and not report.is_final
    sb.advance(600)
    report = client.transverses.get_detailed_flow_report(deposit.numeroFluxDepot, "IN_DP_E1_UBL_INVOICE")
    assert report.etatCourantDepotFlux == "IN_INTEGRE", report
    cr = client.transverses.get_flow_report(deposit.numeroFluxDepot)
    assert cr.etatCourantFlux == "IN_INTEGRE"
    of_flow = list(
        client.factures.iter_supplier_invoices(
            SupplierInvoiceSearchRequest(numeroFluxDepot=deposit.numeroFluxDepot)
        )
    )
    assert [i.numeroFacture for i in of_flow] == [num]


def test_pdf_deposit_then_submission_with_an_attachment(sb, number):
    client, _ = sb.client()
    c = sb.creds
    num = number()
    pdf = client.factures.deposit_pdf(DepositPdfRequest.from_bytes(f"{num}.pdf", one_page_pdf(num)))
    assert pdf.pieceJointeId
    extra = client.transverses.upload_attachment(
        UploadAttachmentRequest.from_bytes("bon-livraison.txt", b"delivered")
    )
    assert extra.pieceJointeId
    request = json_invoice(num, c["recipient_siret"], c["supplier_id"], mode="DEPOT_PDF_API")
    request.pieceJointePrincipale = [MainAttachment(pieceJointePrincipaleId=pdf.pieceJointeId)]
    request.pieceJointeComplementaire = [
        SupplementaryAttachment(
            pieceJointeComplementaireId=extra.pieceJointeId, pieceJointeComplementaireType="DIVERS"
        )
    ]
    sent = client.factures.submit_invoice(request)
    assert sent.identifiantFactureCPP and sent.numeroFacture == num


def _made_available(sb, client, number):
    c = sb.creds
    sent = client.factures.submit_invoice(json_invoice(number(), c["recipient_siret"], c["supplier_id"]))
    sb.advance(120)
    assert (
        client.factures.get_invoice_history(sent.identifiantFactureCPP).statutCourantCode
        == "MISE_A_DISPOSITION"
    )
    return sent.identifiantFactureCPP


def _recipient_sets(sb, invoice_id: int, status: str) -> None:
    with sb.recipient_client() as recipient:
        recipient.transport.call(
            "factures", "traiter/recue", {"idFacture": invoice_id, "nouveauStatut": status, "motif": "test"}
        )


def test_completing_a_suspended_invoice(sb, number):
    sb.admin.post("/sandbox/admin/scenario", json={"recipients_enabled": False})
    client, _ = sb.client()
    invoice_id = _made_available(sb, client, number)
    with pytest.raises(ChorusFunctionalError) as info:
        client.factures.complete_invoice(
            CompleteInvoiceRequest(identifiantFactureCPP=invoice_id, commentaire="x")
        )
    assert info.value.code_retour == 20002 and info.value.operation == "factures/completer"
    _recipient_sets(sb, invoice_id, "SUSPENDUE")
    done = client.factures.complete_invoice(
        CompleteInvoiceRequest(identifiantFactureCPP=invoice_id, commentaire="voici le bon de livraison")
    )
    assert done.identifiantFactureCPP == invoice_id
    assert client.factures.get_invoice_history(invoice_id).statutCourantCode == "COMPLETEE"


def test_recycling_an_invoice_to_reroute(sb, number):
    sb.admin.post("/sandbox/admin/scenario", json={"recipients_enabled": False})
    client, _ = sb.client()
    invoice_id = _made_available(sb, client, number)
    _recipient_sets(sb, invoice_id, "A_RECYCLER")
    services = list(client.structures.iter_services(sb.creds["recipient_id"]))
    active = next(s for s in services if s.estActif)
    again = client.factures.recycle_invoice(
        RecycleInvoiceRequest(
            identifiantFactureCPP=invoice_id,
            destinataire=InvoiceRecipient(
                codeDestinataire=sb.creds["recipient_siret"], codeServiceExecutant=active.codeService
            ),
        )
    )
    assert again.statutFacture == "DEPOSEE"


def test_unknown_invoice_is_a_functional_error(sb):
    client, _ = sb.client()
    with pytest.raises(ChorusFunctionalError) as info:
        client.factures.get_invoice_history(987654321)
    assert info.value.operation == "factures/consulter/historique"


def test_wrong_password_and_wrong_client_secret_are_auth_errors(sb):
    client, _ = sb.client(password="not-the-password")
    with pytest.raises(ChorusAuthError) as info:
        client.transverses.list_supplier_structures()
    assert info.value.status == 401
    client, _ = sb.client(client_secret="not-the-secret")
    with pytest.raises(ChorusAuthError) as info:
        client.transverses.health_check()
    assert info.value.operation == "oauth/token"
