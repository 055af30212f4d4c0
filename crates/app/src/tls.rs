//! TLS for outgoing HTTP (the generation endpoint): rustls with the ring provider, the one
//! sqlx already uses. reqwest is built without a provider of its own, so the process
//! installs ring as rustls' default once, before any HTTP client is built; every
//! constructor of one calls [`install_crypto_provider`].

use std::sync::Once;

/// Installs ring as the process's rustls provider (once; later calls do nothing).
pub fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // An error only says that a provider is installed already, which is what we want.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// An HTTP client builder with the crypto provider in place.
pub fn http_client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
}

#[cfg(test)]
mod tests {
    /// Without TLS support reqwest refuses an `https` URL before connecting (a builder
    /// error); with it, the request gets as far as the (refused) connection.
    #[tokio::test]
    async fn clients_speak_https() {
        let client = super::http_client_builder().build().expect("client builds");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let error = client
            .get(format!("https://127.0.0.1:{port}/v1/chat/completions"))
            .send()
            .await
            .expect_err("nothing listens there");
        assert!(error.is_connect(), "{error:?}");
        assert!(!error.is_builder(), "{error:?}");
    }
}
