//! Finding transaction-control statements in scripts.

use super::super::error::MigrateError;
use super::super::script::{find_transaction_control, transaction_mode, TxMode};

fn control(sql: &str) -> Option<(String, usize)> {
    find_transaction_control(sql)
}

#[test]
fn plain_scripts_run_wrapped() {
    let sql = "CREATE TABLE t (id INTEGER);\nINSERT INTO t VALUES (1);";
    assert_eq!(transaction_mode(sql, "1_a.up.sql").unwrap(), TxMode::Wrapped);
    assert_eq!(transaction_mode("", "1_a.up.sql").unwrap(), TxMode::Wrapped);
}

#[test]
fn transaction_control_statements_are_found_with_their_line() {
    assert_eq!(control("BEGIN;\nCREATE TABLE t (x);\nCOMMIT;"), Some(("BEGIN".into(), 1)));
    assert_eq!(control("CREATE TABLE t (x);\n  commit;"), Some(("COMMIT".into(), 2)));
    assert_eq!(control("SELECT 1;\n\nEnd Transaction;"), Some(("END".into(), 3)));
    assert_eq!(control("SELECT 1; begin immediate"), Some(("BEGIN".into(), 1)));
    assert_eq!(control("SELECT 1;\nROLLBACK;"), Some(("ROLLBACK".into(), 2)));
    assert_eq!(control("ROLLBACK TRANSACTION"), Some(("ROLLBACK".into(), 1)));
    assert_eq!(control("/* c */ -- c\n BEGIN;"), Some(("BEGIN".into(), 2)));
}

#[test]
fn savepoints_strings_comments_and_identifiers_are_not_transaction_control() {
    let sql = "SAVEPOINT s; INSERT INTO t VALUES ('BEGIN; COMMIT;'); ROLLBACK TO s; RELEASE s;
        -- BEGIN;
        /* COMMIT; */
        SELECT \"begin\", [commit], `end` FROM t;
        SELECT $$ ; COMMIT; $$, $tag$ ; END; $tag$;
        UPDATE t SET begin_at = 1 WHERE committed;";
    assert_eq!(control(sql), None);
}

#[test]
fn trigger_bodies_are_one_statement() {
    let sql = "CREATE TRIGGER tr AFTER INSERT ON t BEGIN
            UPDATE t SET x = CASE WHEN new.x > 0 THEN 1 ELSE 0 END WHERE id = new.id;
            INSERT INTO log VALUES (CASE new.x WHEN 1 THEN 'a' END);
        END;
        CREATE TEMP TRIGGER IF NOT EXISTS tr2 BEFORE DELETE ON t BEGIN SELECT 1; END;
        SELECT 1;";
    assert_eq!(control(sql), None);
    let after = format!("{sql}\nCOMMIT;");
    assert_eq!(control(&after), Some(("COMMIT".into(), 7)));
}

#[test]
fn refusal_names_the_script_and_the_way_out() {
    let err = transaction_mode("BEGIN;\nSELECT 1;\nCOMMIT;", "0003_add_users.up.sql").unwrap_err();
    assert!(matches!(err, MigrateError::TransactionControl { line: 1, .. }));
    assert_eq!(
        err.to_string(),
        "0003_add_users.up.sql contains a transaction-control statement (BEGIN) on line 1: \
         remove it, or make `-- cfn:no-transaction` its first line to run it outside cfn's \
         transaction"
    );
}

#[test]
fn the_directive_on_the_first_line_opts_out() {
    let sql = "-- cfn:no-transaction\nBEGIN; SELECT 1; COMMIT;";
    assert_eq!(transaction_mode(sql, "f").unwrap(), TxMode::NoTransaction);
    let sql = "\u{feff}--cfn:no-transaction  \r\nVACUUM;";
    assert_eq!(transaction_mode(sql, "f").unwrap(), TxMode::NoTransaction);
    let later = "SELECT 1;\n-- cfn:no-transaction\nBEGIN;";
    assert!(transaction_mode(later, "f").is_err());
}
