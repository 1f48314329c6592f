package dev.synport.postgres;

import dev.synport.FailureReason;
import dev.synport.PortException;
import dev.synport.config.DatabaseSettings.SslSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS side of a connection as libpq sets it up, from the PEM files libpq reads: the server's
 * chain is checked against {@code sslrootcert} whenever one is given or found (in every sslmode,
 * as libpq does; {@code system} means the JDK's trusted CAs), and not checked without one
 * ({@code require}, {@code prefer}, {@code allow}); the client certificate {@code sslcert} is sent
 * with its key {@code sslkey} (PEM PKCS#8 or PKCS#1 RSA, or DER PKCS#8) when the file exists.
 * Host names are checked by pgjdbc for {@code verify-full}.
 */
final class ClientTls {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)-----END \\1-----");
    /** DER of the PKCS#8 AlgorithmIdentifier for rsaEncryption (OID 1.2.840.113549.1.1.1, NULL parameters). */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
        (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    private static final char[] IN_MEMORY = new char[0];

    private ClientTls() {}

    /**
     * The TLS context for these files; a missing or unreadable file is a one-line error naming it,
     * and so is sslmode verify-ca or verify-full without a root certificate, as in libpq.
     */
    static SSLContext context(SslSettings ssl) {
        Optional<String> rootCert = ssl.rootCert();
        requireRootForVerify(ssl);
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers(ssl.cert(), ssl.key()), trustManagers(rootCert), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new PortException(FailureReason.CONFIG_MALFORMED, "cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /**
     * Checks the settings before any connection, so that a bad file is a clear error, not
     * pgjdbc's: with a certificate file to read, by building the context; without one, only
     * the sslmode's need of a root certificate (a TLS context costs about 0.1 s of the JVM's
     * start, wasted where the server refuses TLS and nothing is read).
     */
    static void check(SslSettings ssl) {
        if (ssl.rootCert().isPresent() || ssl.cert().isPresent()) {
            context(ssl);
        } else {
            requireRootForVerify(ssl);
        }
    }

    private static void requireRootForVerify(SslSettings ssl) {
        if (ssl.rootCert().isEmpty() && ssl.mode().filter(m -> m.startsWith("verify-")).isPresent()) {
            throw invalid("database.args.sslmode is " + ssl.mode().get() + ", which checks the server's certificate,"
                    + " but there is no root certificate: set database.args.sslrootcert to the CA certificate (PEM)"
                    + " that signed the server's, or put it at ~/.postgresql/root.crt, or use sslmode require");
        }
    }

    private static TrustManager[] trustManagers(Optional<String> rootCert) throws GeneralSecurityException {
        if (rootCert.isEmpty()) {
            return new TrustManager[] {new UncheckedServer()};
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (rootCert.get().equals("system")) {
            factory.init((KeyStore) null);
            return factory.getTrustManagers();
        }
        Collection<? extends Certificate> roots = certificates(rootCert.get(), "sslrootcert");
        KeyStore store = emptyStore();
        int i = 0;
        for (Certificate root : roots) {
            store.setCertificateEntry("root-" + i++, root);
        }
        factory.init(store);
        return factory.getTrustManagers();
    }

    private static KeyManager[] keyManagers(Optional<String> cert, Optional<String> key)
            throws GeneralSecurityException {
        if (cert.isEmpty() || !Files.exists(Path.of(cert.get()))) {
            return null; // libpq sends no client certificate when the file does not exist
        }
        if (key.isEmpty()) {
            throw invalid("database.args.sslcert: certificate " + cert.get() + " is present, but no private key"
                    + " file; set database.args.sslkey");
        }
        List<X509Certificate> chain = certificates(cert.get(), "sslcert").stream()
                .map(X509Certificate.class::cast).toList();
        PrivateKey privateKey = privateKey(key.get(), chain.get(0).getPublicKey().getAlgorithm());
        KeyStore store = emptyStore();
        store.setKeyEntry("client", privateKey, IN_MEMORY, chain.toArray(new Certificate[0]));
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, IN_MEMORY);
        return factory.getKeyManagers();
    }

    private static Collection<? extends Certificate> certificates(String file, String key)
            throws GeneralSecurityException {
        byte[] bytes = read(file, key);
        Collection<? extends Certificate> certificates;
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException | CertificateException e) {
            throw invalid("database.args." + key + ": " + file + " holds no readable certificate; give a PEM file"
                    + " (-----BEGIN CERTIFICATE-----)");
        }
        if (certificates.isEmpty()) {
            throw invalid("database.args." + key + ": " + file + " holds no certificate; give a PEM file"
                    + " (-----BEGIN CERTIFICATE-----)");
        }
        return certificates;
    }

    private static PrivateKey privateKey(String file, String algorithm) throws GeneralSecurityException {
        refuseSharedKey(Path.of(file));
        byte[] bytes = read(file, "sslkey");
        Matcher pem = PEM.matcher(new String(bytes, StandardCharsets.US_ASCII));
        byte[] pkcs8 = bytes;
        if (pem.find()) {
            byte[] der = Base64.getMimeDecoder().decode(pem.group(2));
            pkcs8 = switch (pem.group(1)) {
                case "PRIVATE KEY" -> der;
                case "RSA PRIVATE KEY" -> rsaPkcs8(der);
                default -> throw invalid("database.args.sslkey: " + file + " holds a key this tool cannot read"
                        + " (BEGIN " + pem.group(1) + "); convert it to an unencrypted PKCS#8 key with: openssl"
                        + " pkcs8 -topk8 -nocrypt -in " + file + " -out client.pk8.pem");
            };
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (InvalidKeySpecException e) {
            throw invalid("database.args.sslkey: " + file + " is not an unencrypted " + algorithm + " private key"
                    + " for the certificate in sslcert; give its PEM key (openssl pkcs8 -topk8 -nocrypt)");
        }
    }

    /**
     * libpq refuses a key file that group or others may read: 0600 or less, or 0640 or less
     * when root owns it.
     */
    private static void refuseSharedKey(Path file) {
        Set<PosixFilePermission> permissions;
        String owner;
        try {
            permissions = Files.getPosixFilePermissions(file);
            owner = Files.getOwner(file).getName();
        } catch (UnsupportedOperationException e) {
            return; // no POSIX permissions (Windows): libpq does not check them there either
        } catch (IOException e) {
            return; // reading it says why
        }
        Set<PosixFilePermission> allowed = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        if (owner.equals("root")) {
            allowed.add(PosixFilePermission.GROUP_READ);
        }
        if (!allowed.containsAll(permissions)) {
            throw invalid("database.args.sslkey: private key file " + file + " has group or world access; it must"
                    + " be u=rw (0600) or less if owned by the current user, or u=rw,g=r (0640) or less if owned by"
                    + " root (fix with: chmod 0600 " + file + ")");
        }
    }

    /** Wraps a PKCS#1 RSAPrivateKey into a PKCS#8 PrivateKeyInfo: version 0, rsaEncryption, the key. */
    private static byte[] rsaPkcs8(byte[] pkcs1) {
        byte[] octets = der(0x04, pkcs1);
        byte[] version = {0x02, 0x01, 0x00};
        byte[] body = new byte[version.length + RSA_ALGORITHM.length + octets.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(RSA_ALGORITHM, 0, body, version.length, RSA_ALGORITHM.length);
        System.arraycopy(octets, 0, body, version.length + RSA_ALGORITHM.length, octets.length);
        return der(0x30, body);
    }

    private static byte[] der(int tag, byte[] content) {
        int n = content.length;
        byte[] length = n < 0x80 ? new byte[] {(byte) n}
                : n < 0x100 ? new byte[] {(byte) 0x81, (byte) n}
                : n < 0x10000 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
                : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        byte[] out = new byte[1 + length.length + n];
        out[0] = (byte) tag;
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(content, 0, out, 1 + length.length, n);
        return out;
    }

    private static byte[] read(String file, String key) {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw invalid("database.args." + key + ": " + file + " does not exist");
        } catch (IOException e) {
            throw invalid("database.args." + key + ": cannot read " + file + ": " + e.getMessage());
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return store;
    }

    private static PortException invalid(String message) {
        return new PortException(FailureReason.CONFIG_MALFORMED, message);
    }

    /** sslmode require/prefer/allow without a root certificate: encrypted, the server not authenticated. */
    private static final class UncheckedServer implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // libpq does not check the server's certificate without a root certificate either
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
