import ArgumentParser
import Crypto
import Foundation
import SwiftASN1
import X509

#if canImport(Glibc)
import Glibc
#endif

/// `roster cert`: writes a self-signed certificate and its private key, for trying StartTLS and
/// LDAPS (`roster serve --certificate … --private-key …`).
struct CertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Write a self-signed TLS certificate and private key (PEM) for trials.",
        discussion: """
            Clients trust it by name: LDAPTLS_CACERT=CERT ldapsearch -ZZ … (OpenLDAP tools, python-ldap), \
            ca_certs_file=CERT (ldap3), openssl s_client -CAfile CERT. For production use a certificate from your CA.
            """)

    @Option(name: .long, help: "Where to write the certificate (PEM).")
    var certificate: String

    @Option(name: .long, help: "Where to write the private key (PEM, PKCS #8, mode 0600).")
    var privateKey: String

    @Option(name: .long, help: "A host name or IP address the certificate is for (repeatable; default localhost, 127.0.0.1, ::1).")
    var host: [String] = []

    @Option(name: .long, help: "Days the certificate is valid.")
    var days: Int = 365

    @Flag(name: .long, help: "Overwrite existing files.")
    var force = false

    func validate() throws {
        guard (1...3650).contains(days) else { throw ValidationError("--days: expected 1 to 3650, got \(days)") }
        for name in host where SubjectName(name) == nil {
            throw ValidationError("--host: \(name) is neither a host name nor an IP address")
        }
    }

    func run() throws {
        if !force {
            for path in [certificate, privateKey] where FileManager.default.fileExists(atPath: path) {
                throw CLIError("\(path) exists; use --force to overwrite it")
            }
        }
        let names = host.isEmpty ? SelfSignedCertificate.defaultHosts : host
        let made = try SelfSignedCertificate(hosts: names, days: days)
        try made.write(certificate: certificate, privateKey: privateKey)
        print("wrote \(certificate) and \(privateKey) for \(names.joined(separator: ", ")), valid \(days) days")
        print("clients trust it with LDAPTLS_CACERT=\(certificate) (ldapsearch -ZZ, ldaps://)")
    }
}

/// A name a certificate is issued for: a DNS name or an IP address (RFC 5280 §4.2.1.6).
struct SubjectName {
    let name: GeneralName

    init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            name = .ipAddress(ASN1OctetString(contentBytes: withUnsafeBytes(of: &v4) { ArraySlice($0) }))
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            name = .ipAddress(ASN1OctetString(contentBytes: withUnsafeBytes(of: &v6) { ArraySlice($0) }))
        } else {
            // RFC 1123 labels; a leading `*.` for a wildcard.
            let labels = (text.hasPrefix("*.") ? String(text.dropFirst(2)) : text).split(separator: ".", omittingEmptySubsequences: false)
            let valid = !text.isEmpty && text.utf8.count <= 253
                && labels.allSatisfy { label in
                    !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                        && label.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
                }
            guard valid else { return nil }
            name = .dnsName(text.lowercased())
        }
    }
}

/// A self-signed certificate (ECDSA P-256, SHA-256) and its key, as PEM.
struct SelfSignedCertificate {
    static let defaultHosts = ["localhost", "127.0.0.1", "::1"]

    let certificatePEM: String
    let privateKeyPEM: String

    /// - Parameters:
    ///   - hosts: the names it is for (the first is also the subject's CN); each must be a
    ///     ``SubjectName``.
    ///   - days: how long it is valid from now.
    init(hosts: [String], days: Int) throws {
        let names = hosts.compactMap(SubjectName.init).map(\.name)
        guard !names.isEmpty, names.count == hosts.count else { throw CLIError("a certificate needs host names or IP addresses") }
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let subject = try DistinguishedName {
            OrganizationName("Roster trial certificate")
            CommonName(hosts[0])
        }
        let identifier = SubjectKeyIdentifier(hash: publicKey)
        // A self-signed certificate is its own trust anchor: OpenSSL and GnuTLS accept it as a CA
        // (basicConstraints CA, keyCertSign) and as the server's (serverAuth, the SANs).
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames(names)
            identifier
            AuthorityKeyIdentifier(keyIdentifier: identifier.keyIdentifier)
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(key))
        certificatePEM = try certificate.serializeAsPEM().pemString + "\n"
        privateKeyPEM = key.pemRepresentation + "\n"
    }

    /// Writes both files; the key is readable by its owner only.
    func write(certificate: String, privateKey: String) throws {
        let manager = FileManager.default
        try? manager.removeItem(atPath: privateKey)
        guard manager.createFile(atPath: privateKey, contents: Data(privateKeyPEM.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write \(privateKey)")
        }
        do {
            try Data(certificatePEM.utf8).write(to: URL(fileURLWithPath: certificate))
        } catch {
            throw CLIError("cannot write \(certificate): \(error.localizedDescription)")
        }
    }
}
