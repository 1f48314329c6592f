package dev.synport.postgres;

import dev.synport.config.DatabaseSettings.SslSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Optional;
import java.util.Properties;
import javax.net.ssl.SSLSocketFactory;
import org.postgresql.PGProperty;

/**
 * pgjdbc's {@code sslfactory}: TLS from libpq's PEM files ({@link ClientTls}) rather than pgjdbc's
 * own reading of them, which wants a PKCS#8 DER or PKCS#12 key. pgjdbc creates it per connection
 * with the connection's properties.
 */
public final class PemSslFactory extends SSLSocketFactory {
    private final SSLSocketFactory delegate;

    public PemSslFactory(Properties properties) {
        delegate = ClientTls.context(new SslSettings(property(properties, PGProperty.SSL_MODE),
                property(properties, PGProperty.SSL_ROOT_CERT), property(properties, PGProperty.SSL_CERT),
                property(properties, PGProperty.SSL_KEY))).getSocketFactory();
    }

    private static Optional<String> property(Properties properties, PGProperty property) {
        return Optional.ofNullable(properties.getProperty(property.getName()));
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
        return delegate.createSocket(socket, host, port, autoClose);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return delegate.createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return delegate.createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return delegate.createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return delegate.createSocket(address, port, localAddress, localPort);
    }
}
