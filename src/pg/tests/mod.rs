//! Tests of [`PgTarget`] against a real PostgreSQL server started by each test (see
//! [`crate::health::tests::support`]).

mod migrate;

use tokio::runtime::Runtime;
use tokio_postgres::{Client, NoTls};

use super::PgTarget;
use crate::health::tests::support::postgres::TestPostgres;
use crate::migrate::{from_embedded, Migration};

/// A running server and a plain client to inspect it with.
pub(super) struct Db {
    runtime: Runtime,
    client: Client,
    server: TestPostgres,
}

impl Db {
    /// `None` when PostgreSQL is not installed (outside CI).
    pub fn start() -> Option<Db> {
        let server = TestPostgres::start()?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (client, connection) = runtime.block_on(tokio_postgres::connect(&server.url(), NoTls)).unwrap();
        runtime.spawn(connection);
        Some(Db { runtime, client, server })
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    pub fn target(&self) -> PgTarget {
        PgTarget::connect(&self.url()).unwrap()
    }

    /// The first column of every row of `sql`, as `i64`.
    pub fn i64s(&self, sql: &str) -> Vec<i64> {
        let rows = self.runtime.block_on(self.client.query(sql, &[])).unwrap();
        rows.iter().map(|row| row.get(0)).collect()
    }

    pub fn recorded(&self) -> Vec<i64> {
        if !self.has_table("cfn_schema_migrations") {
            return Vec::new();
        }
        self.i64s("SELECT version FROM cfn_schema_migrations ORDER BY version")
    }

    pub fn has_table(&self, name: &str) -> bool {
        let row = self
            .runtime
            .block_on(self.client.query_one("SELECT to_regclass($1::text) IS NOT NULL", &[&name]));
        row.unwrap().get(0)
    }
}

pub(super) fn migrations(files: &[(&str, &str)]) -> Vec<Migration> {
    from_embedded(files).unwrap()
}

/// users, posts referencing users, and a seed row; each reversible.
pub(super) fn three() -> Vec<Migration> {
    migrations(&[
        ("0001_users.up.sql", "CREATE TABLE users (id BIGINT PRIMARY KEY, name TEXT NOT NULL);"),
        ("0001_users.down.sql", "DROP TABLE users;"),
        (
            "0002_posts.up.sql",
            "CREATE TABLE posts (id BIGINT PRIMARY KEY, user_id BIGINT REFERENCES users (id));",
        ),
        ("0002_posts.down.sql", "DROP TABLE posts;"),
        ("0003_seed.up.sql", "INSERT INTO users VALUES (1, 'ada');\nINSERT INTO posts VALUES (1, 1);"),
        ("0003_seed.down.sql", "DELETE FROM posts;\nDELETE FROM users;"),
    ])
}

#[test]
fn lock_keys_are_fixed_and_distinct() {
    assert_eq!(PgTarget::lock_key(), PgTarget::lock_key());
    assert_ne!(PgTarget::lock_key(), PgTarget::apply_key());
}

/// A server that does not answer is an error, also when the connection is asked for from
/// inside the command's runtime (where dropping the client's own runtime used to panic).
#[test]
fn an_unreachable_server_is_an_error_inside_the_command_s_runtime() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let url = format!("postgres://cfn@127.0.0.1:{port}/db?connect_timeout=2");
    let outcome = crate::runtime::run(async move { PgTarget::connect(&url).map(|_| ()) }).unwrap();
    let error = outcome.unwrap_err().to_string();
    assert!(error.contains(&format!("127.0.0.1:{port}")), "{error}");
}
