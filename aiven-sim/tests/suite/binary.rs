//! The `aiven-sim` binary on a state file, as aiven-sim's own tests run it
//! (kill -9 and restart): apart from the in-process fixtures of `common`,
//! which the workspace suite includes too and which cannot name the binary.

use std::time::Duration;

use serde_json::Value;

use crate::common::{request, TOKEN};

/// The `aiven-sim` binary on a free loopback port, killed (SIGKILL) when
/// dropped or [`kill`](Self::kill)ed: it is our own child process.
pub struct Server {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT/v1`.
    pub base_url: String,
    /// The lines it printed on stdout.
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    http: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `kill -9`: `Child::kill` sends SIGKILL on Unix; waits for the
    /// process to be gone (and its file lock with it).
    pub fn kill(self) {
        drop(self);
    }

    /// The root URL, `http://127.0.0.1:PORT` (the admin API is under it).
    pub fn root(&self) -> &str {
        self.base_url.trim_end_matches("/v1")
    }
}

/// A port nobody listens on (now).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The binary with `--state state --profile instant --token TOKEN`, once it
/// serves.
pub async fn spawn_server(state: &std::path::Path) -> Server {
    spawn_server_with(state, &[]).await
}

/// [`spawn_server`] with more arguments.
pub async fn spawn_server_with(state: &std::path::Path, args: &[&str]) -> Server {
    use std::io::BufRead;
    let port = free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aiven-sim"))
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--profile",
            "instant",
            "--token",
            TOKEN,
        ])
        .args(args)
        .arg("--state")
        .arg(state)
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("binary starts");
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let stdout = child.stdout.take().unwrap();
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            sink.lock().unwrap().push(line);
        }
    });
    let server = Server {
        child,
        base_url: format!("http://127.0.0.1:{port}/v1"),
        log,
        http: aiven_api::tls::client_builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
    };
    for _ in 0..400 {
        if let Ok(r) = server
            .http
            .get(format!("{}/clouds", server.base_url))
            .send()
            .await
        {
            if r.status() == 200 {
                return server;
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the binary did not start serving");
}

/// A request to the binary (`path` under its root: `/v1/…` or `/_sim/…`)
/// with the token; its status and JSON body.
pub async fn send(server: &Server, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    request(&server.http, server.root(), method, path, body).await
}
