//! Reading a migration script just enough to run it safely inside cfn's transaction.
//!
//! Every script runs inside a transaction that the target opens and commits around it. A
//! script that says `BEGIN`, `COMMIT`, `END` or `ROLLBACK` itself would end or nest that
//! transaction behind the engine's back, so such a script is refused with an error naming it,
//! before anything runs. `SAVEPOINT`, `RELEASE` and `ROLLBACK TO` nest cleanly and are allowed.
//!
//! A script whose first line is `-- cfn:no-transaction` opts out: it runs as written, outside
//! any wrapper (for SQLite's `PRAGMA foreign_keys = OFF` table rebuilds, `VACUUM`, or a script
//! that manages its own transactions), and is recorded afterwards in a transaction of its own.
//! If such a script fails part way, what it already committed stays; it is not recorded.
//!
//! The scan is a small lexer, not a parser: it skips comments, string literals, quoted
//! identifiers and dollar-quoted bodies, and looks only at the first word of each statement.
//! A `CREATE TRIGGER` body (`BEGIN … END`, with `CASE … END` nested inside) is one statement.

use super::error::MigrateError;

/// How a script must be run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxMode {
    /// Inside the target's transaction, together with its bookkeeping row.
    Wrapped,
    /// As written, outside any transaction; recorded afterwards.
    NoTransaction,
}

/// Decides how `sql` runs; `script` names it in the error ("0003_add_users.up.sql").
pub fn transaction_mode(sql: &str, script: &str) -> Result<TxMode, MigrateError> {
    if has_directive(sql) {
        return Ok(TxMode::NoTransaction);
    }
    match find_transaction_control(sql) {
        Some((statement, line)) => {
            Err(MigrateError::TransactionControl { script: script.to_string(), statement, line })
        }
        None => Ok(TxMode::Wrapped),
    }
}

/// How messages name a recorded down script, which has no file of its own.
pub fn down_label(version: i64, name: &str) -> String {
    format!("the down script of migration {version} ({name})")
}

fn has_directive(sql: &str) -> bool {
    let sql = sql.strip_prefix('\u{feff}').unwrap_or(sql);
    let first = sql.lines().next().unwrap_or("").trim();
    first.strip_prefix("--").is_some_and(|rest| rest.trim() == "cfn:no-transaction")
}

#[derive(Default)]
struct Statement {
    /// Upper-cased first words, at most three: enough to recognise `CREATE [TEMP] TRIGGER`.
    head: Vec<String>,
    trigger: bool,
    in_body: bool,
    case_depth: u32,
    /// A `ROLLBACK` that turns out to be `ROLLBACK … TO` is harmless.
    rollback_line: Option<usize>,
}

/// The first transaction-control statement in `sql` and its 1-based line, if any.
pub fn find_transaction_control(sql: &str) -> Option<(String, usize)> {
    let mut st = Statement::default();
    for token in Lexer::new(sql) {
        match token {
            Token::Semicolon if !st.in_body => {
                if let Some(line) = st.rollback_line {
                    return Some(("ROLLBACK".to_string(), line));
                }
                st = Statement::default();
            }
            Token::Semicolon => {}
            Token::Other => {
                if st.head.is_empty() {
                    st.head.push(String::new());
                }
            }
            Token::Word(word, line) => {
                let word = word.to_ascii_uppercase();
                if st.head.is_empty() {
                    match word.as_str() {
                        "BEGIN" | "COMMIT" | "END" => return Some((word, line)),
                        "ROLLBACK" => st.rollback_line = Some(line),
                        _ => {}
                    }
                } else if word == "TO" {
                    st.rollback_line = None;
                }
                st.observe(word);
            }
        }
    }
    st.rollback_line.map(|line| ("ROLLBACK".to_string(), line))
}

impl Statement {
    fn observe(&mut self, word: String) {
        if self.trigger {
            match word.as_str() {
                "BEGIN" if !self.in_body => self.in_body = true,
                "CASE" if self.in_body => self.case_depth += 1,
                "END" if self.in_body && self.case_depth > 0 => self.case_depth -= 1,
                "END" if self.in_body => self.in_body = false,
                _ => {}
            }
        }
        if self.head.len() < 3 {
            self.head.push(word);
            let head: Vec<&str> = self.head.iter().map(String::as_str).collect();
            self.trigger |= matches!(
                head.as_slice(),
                ["CREATE", "TRIGGER"] | ["CREATE", "TEMP" | "TEMPORARY", "TRIGGER"]
            );
        }
    }
}

enum Token {
    Word(String, usize),
    Semicolon,
    Other,
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    line: usize,
}

impl Lexer {
    fn new(sql: &str) -> Self {
        Lexer { chars: sql.chars().collect(), pos: 0, line: 1 }
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    /// Consumes up to and including `end`, or to the end of input.
    fn skip_past(&mut self, end: &[char]) {
        while self.pos < self.chars.len() {
            if self.chars[self.pos..].starts_with(end) {
                for _ in 0..end.len() {
                    self.bump();
                }
                return;
            }
            self.bump();
        }
    }

    /// `$tag$` at the current position (PostgreSQL dollar quoting), as its characters.
    fn dollar_tag(&self) -> Option<Vec<char>> {
        let mut len = 1;
        while let Some(c) = self.peek(len) {
            if c == '$' {
                return Some(self.chars[self.pos..=self.pos + len].to_vec());
            }
            let ok = c == '_' || c.is_alphabetic() || (len > 1 && c.is_ascii_digit());
            if !ok {
                return None;
            }
            len += 1;
        }
        None
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

impl Iterator for Lexer {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        loop {
            let c = self.peek(0)?;
            match (c, self.peek(1)) {
                (c, _) if c.is_whitespace() => {
                    self.bump();
                }
                ('-', Some('-')) => self.skip_past(&['\n']),
                ('/', Some('*')) => self.skip_past(&['*', '/']),
                ('\'' | '"' | '`', _) => {
                    self.bump();
                    self.skip_past(&[c]);
                    return Some(Token::Other);
                }
                ('[', _) => {
                    self.skip_past(&[']']);
                    return Some(Token::Other);
                }
                ('$', _) if self.dollar_tag().is_some() => {
                    let tag = self.dollar_tag().unwrap_or_default();
                    self.pos += tag.len();
                    self.skip_past(&tag);
                    return Some(Token::Other);
                }
                (';', _) => {
                    self.bump();
                    return Some(Token::Semicolon);
                }
                (c, _) if is_word_char(c) => {
                    let line = self.line;
                    let start = self.pos;
                    while self.peek(0).is_some_and(is_word_char) {
                        self.bump();
                    }
                    return Some(Token::Word(self.chars[start..self.pos].iter().collect(), line));
                }
                _ => {
                    self.bump();
                    return Some(Token::Other);
                }
            }
        }
    }
}
