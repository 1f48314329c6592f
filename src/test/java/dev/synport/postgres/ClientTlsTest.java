package dev.synport.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.synport.FailureReason;
import dev.synport.PortException;
import dev.synport.config.DatabaseSettings.SslSettings;
import dev.synport.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading libpq's PEM files before connecting: which files are accepted, and each refusal's line. */
class ClientTlsTest {
    @TempDir
    Path dir;

    private static SslSettings ssl(String mode, Path root, Path cert, Path key) {
        return new SslSettings(Optional.ofNullable(mode), Optional.ofNullable(root).map(Path::toString),
                Optional.ofNullable(cert).map(Path::toString), Optional.ofNullable(key).map(Path::toString));
    }

    private static PortException refusal(SslSettings settings) {
        return refused(() -> ClientTls.context(settings));
    }

    private static PortException checkRefusal(SslSettings settings) {
        return refused(() -> ClientTls.check(settings));
    }

    private static PortException refused(ThrowableAssert.ThrowingCallable call) {
        PortException e = catchThrowableOfType(PortException.class, call);
        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo(FailureReason.CONFIG_MALFORMED);
        return e;
    }

    @Test
    void pemRootAndClientCertificateWithPkcs8OrPkcs1KeysAreAccepted() {
        TestCertificates ca = TestCertificates.authority("unit CA");
        Path root = ca.writeCa(dir.resolve("ca.crt"));
        TestCertificates.Issued pkcs8 = ca.issue("alice", List.of(), false, dir);
        TestCertificates.Issued pkcs1 = ca.issue("bob", List.of(), true, dir);
        assertThat(ClientTls.context(ssl("verify-full", root, pkcs8.certificate(), pkcs8.key())).getProtocol())
                .isEqualTo("TLS");
        assertThat(ClientTls.context(ssl("verify-ca", root, pkcs1.certificate(), pkcs1.key())).getProtocol())
                .isEqualTo("TLS");
        assertThat(ClientTls.context(ssl("require", null, null, null)).getProtocol()).isEqualTo("TLS");
        assertThat(ClientTls.context(ssl("verify-full", Path.of("system"), null, null)).getProtocol()).isEqualTo("TLS");
    }

    @Test
    void theCheckBeforeConnectingReadsTheFilesGivenAndRefusesWhatTheContextRefuses() throws IOException {
        ClientTls.check(ssl("prefer", null, null, null));
        ClientTls.check(ssl("require", null, dir.resolve("none.crt"), null));
        assertThat(checkRefusal(ssl("verify-ca", null, null, null)).getMessage())
                .isEqualTo(refusal(ssl("verify-ca", null, null, null)).getMessage());
        Path missing = dir.resolve("missing.crt");
        assertThat(checkRefusal(ssl("require", missing, null, null)).getMessage())
                .isEqualTo("database.args.sslrootcert: " + missing + " does not exist");
        Path cert = TestCertificates.authority("unit CA").issue("carol", List.of(), false, dir).certificate();
        assertThat(checkRefusal(ssl("prefer", null, cert, null)).getMessage())
                .startsWith("database.args.sslcert: certificate " + cert + " is present, but no private key");
    }

    @Test
    void missingClientCertificateFileMeansNoClientCertificate() {
        assertThat(ClientTls.context(ssl("require", null, dir.resolve("none.crt"), dir.resolve("none.key")))
                .getProtocol()).isEqualTo("TLS");
    }

    @Test
    void verifyWithoutARootCertificateIsRefused() {
        assertThat(refusal(ssl("verify-ca", null, null, null)).getMessage()).isEqualTo("database.args.sslmode is"
                + " verify-ca, which checks the server's certificate, but there is no root certificate: set"
                + " database.args.sslrootcert to the CA certificate (PEM) that signed the server's, or put it at"
                + " ~/.postgresql/root.crt, or use sslmode require");
    }

    @Test
    void missingOrUnreadableRootCertificateIsNamed() throws IOException {
        Path missing = dir.resolve("missing.crt");
        assertThat(refusal(ssl("verify-full", missing, null, null)).getMessage())
                .isEqualTo("database.args.sslrootcert: " + missing + " does not exist");
        Path text = Files.writeString(dir.resolve("notes.crt"), "not a certificate\n");
        assertThat(refusal(ssl("verify-full", text, null, null)).getMessage()).isEqualTo("database.args.sslrootcert: "
                + text + " holds no readable certificate; give a PEM file (-----BEGIN CERTIFICATE-----)");
    }

    @Test
    void certificateWithoutAKeyIsRefused() {
        TestCertificates.Issued client = TestCertificates.authority("unit CA").issue("carol", List.of(), false, dir);
        assertThat(refusal(ssl("require", null, client.certificate(), null)).getMessage()).isEqualTo(
                "database.args.sslcert: certificate " + client.certificate() + " is present, but no private key"
                        + " file; set database.args.sslkey");
    }

    @Test
    void keyThatOthersMayReadIsRefusedAsLibpqDoes() throws IOException {
        TestCertificates.Issued client = TestCertificates.authority("unit CA").issue("frank", List.of(), false, dir);
        Files.setPosixFilePermissions(client.key(), PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(refusal(ssl("require", null, client.certificate(), client.key())).getMessage()).isEqualTo(
                "database.args.sslkey: private key file " + client.key() + " has group or world access; it must be"
                        + " u=rw (0600) or less if owned by the current user, or u=rw,g=r (0640) or less if owned by"
                        + " root (fix with: chmod 0600 " + client.key() + ")");
        Files.setPosixFilePermissions(client.key(), PosixFilePermissions.fromString("rw-r-----"));
        boolean rootOwned = Files.getOwner(client.key()).getName().equals("root");
        if (rootOwned) {
            assertThat(ClientTls.context(ssl("require", null, client.certificate(), client.key())).getProtocol())
                    .isEqualTo("TLS");
        } else {
            assertThat(refusal(ssl("require", null, client.certificate(), client.key())).getMessage())
                    .contains("has group or world access");
        }
    }

    @Test
    void encryptedOrForeignKeyFormatsSayHowToConvert() throws IOException {
        TestCertificates.Issued client = TestCertificates.authority("unit CA").issue("dave", List.of(), false, dir);
        Path encrypted = keyFile(dir.resolve("encrypted.key"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n"
                        + "-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThat(refusal(ssl("require", null, client.certificate(), encrypted)).getMessage()).isEqualTo(
                "database.args.sslkey: " + encrypted + " holds a key this tool cannot read (BEGIN ENCRYPTED PRIVATE"
                        + " KEY); convert it to an unencrypted PKCS#8 key with: openssl pkcs8 -topk8 -nocrypt -in "
                        + encrypted + " -out client.pk8.pem");
        TestCertificates.Issued other = TestCertificates.authority("unit CA").issue("erin", List.of(), false, dir);
        Path garbage = keyFile(dir.resolve("garbage.key"), "-----BEGIN PRIVATE KEY-----\nAAAA\n"
                + "-----END PRIVATE KEY-----\n");
        assertThat(refusal(ssl("require", null, other.certificate(), garbage)).getMessage()).isEqualTo(
                "database.args.sslkey: " + garbage + " is not an unencrypted RSA private key for the certificate in"
                        + " sslcert; give its PEM key (openssl pkcs8 -topk8 -nocrypt)");
    }

    /** A key file as libpq wants it: 0600. */
    private static Path keyFile(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }
}
