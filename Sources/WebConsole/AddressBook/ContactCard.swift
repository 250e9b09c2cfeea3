import Directory
import Foundation
import Interchange
import QRCode

/// The member card as a vCard 4.0 (RFC 6350, Interchange's ``VCard``) with the fields the viewer
/// may see, and as the QR code of that vCard (二维码名片).
enum ContactCard {
    static func vCard(of m: Member, book: AddressBook) -> String {
        let fields = Set(MemberField.allCases.filter { book.visibility.canSee(field: $0, of: m) })
        return VCard.card(for: m, in: book.model, fields: fields)
    }

    /// The QR code of a vCard as SVG: level M, or L when M cannot hold it; nil when nothing can.
    static func qrSVG(_ text: String) -> String? {
        let code = (try? QRCode(text: text, errorCorrection: .medium)) ?? (try? QRCode(text: text, errorCorrection: .low))
        return code?.svg()
    }
}
