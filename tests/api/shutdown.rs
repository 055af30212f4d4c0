use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{Backend, spawn_app};
use crate::on_both_backends;

/// A request that is half-sent when shutdown starts still gets its full answer, and the
/// server then stops.
async fn shutdown_drains_an_in_flight_request(backend: Backend) {
    let Some(mut app) = spawn_app(backend).await else {
        return;
    };
    let body = r#"{"email": "drain@example.com", "password": "a long enough secret"}"#;
    let (first, rest) = body.split_at(20);
    let mut stream = TcpStream::connect(("127.0.0.1", app.port)).await.unwrap();
    let head = format!(
        "POST /api/v1/auth/register HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    app.request_shutdown();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stream.write_all(rest.as_bytes()).await.unwrap();

    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");

    let server = app.server.take().unwrap();
    let stopped = tokio::time::timeout(Duration::from_secs(5), server).await;
    assert!(
        matches!(stopped, Ok(Ok(Ok(())))),
        "server did not stop cleanly"
    );
    assert!(TcpStream::connect(("127.0.0.1", app.port)).await.is_err());
}

on_both_backends!(shutdown_drains_an_in_flight_request);
