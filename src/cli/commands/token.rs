//! `cfn token`: issue, verify, revoke and list agents' tokens for MCP servers; rotate the key.
//! Tokens go to stdout only when issued; nothing here writes a token to stderr or a log.

use crate::agents::Role;
use crate::branch::Workspace;
use crate::cli::output;
use crate::context::Context;
use crate::error::UserError;
use crate::migrate::target::rfc3339;
use crate::token::{self, Authority, Claims, Expected, Revocation, TokenRequest};
use anyhow::Result;
use clap::Subcommand;
use std::io::Read as _;

/// The audience of cfn's own tokens; every other server is a compose service or an
/// `[mcp_servers]` entry.
const CFN_SERVER: &str = crate::config::skills::RESERVED_SERVER;

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issue a signed token for an agent, valid for one server and one task; print it.
    Issue(IssueArgs),
    /// Check a token for a server: print its claims, or why it is refused (exit 1).
    Verify(VerifyArgs),
    /// Revoke a token before it expires.
    Revoke(RevokeArgs),
    /// Show the live tokens (issued, not expired, not revoked); never a token itself.
    List(ListArgs),
    /// Make a new signing key; tokens signed by the old one stay valid until they expire.
    Rotate(RotateArgs),
    /// Write the keys that check one server's tokens (and sign none for another) into a folder,
    /// for an MCP server outside the compose stack; the stack's own get theirs mounted.
    VerifierKeys(VerifierKeysArgs),
}

#[derive(Debug, clap::Args)]
pub struct RotateArgs {
    /// Forget every older key at once: every token issued before stops verifying (after a
    /// leak of the key file or of a service's keys).
    #[arg(long)]
    drop_old_keys: bool,
}

#[derive(Debug, clap::Args)]
pub struct VerifierKeysArgs {
    /// The server the keys are for.
    #[arg(long, value_name = "SERVER")]
    audience: String,
    /// The folder to write `keys.json` into (created 0700 when missing; the file is 0600).
    #[arg(long, value_name = "DIR")]
    out: std::path::PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct IssueArgs {
    /// The agent the token is for (its `sub`).
    #[arg(long, value_name = "ID")]
    agent: String,
    /// The task (loop run) the agent works on.
    #[arg(long, value_name = "ID")]
    task: String,
    /// The server that may accept the token: a service of the project's compose stack, or `cfn`.
    #[arg(long, value_name = "SERVER")]
    audience: String,
    /// How long the token lives: 90s, 15m, 1h, 7d (at most 30d).
    #[arg(long, default_value = "1h", allow_hyphen_values = true)]
    ttl: String,
    /// A skill the agent has (repeatable).
    #[arg(long = "skill", value_name = "NAME")]
    skills: Vec<String>,
    /// The agent's role in the loop.
    #[arg(long, value_parser = ["implementer", "validator", "product-owner"])]
    role: Option<String>,
    /// Print the token and its claims as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The token, or `-` to read it from stdin (keeps it out of the process list).
    token: String,
    /// The server checking the token: the token must be for it.
    #[arg(long, value_name = "SERVER")]
    audience: String,
    /// The task the server serves: the token must be for it.
    #[arg(long, value_name = "ID")]
    task: Option<String>,
    /// Print the claims as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
#[group(id = "which", required = true, args = ["token", "jti"])]
pub struct RevokeArgs {
    /// The token, or `-` to read it from stdin.
    token: Option<String>,
    /// The token's id, as `cfn token list` shows it.
    #[arg(long, value_name = "JTI", conflicts_with = "token")]
    jti: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Context, cmd: TokenCommand) -> Result<()> {
    match cmd {
        TokenCommand::Issue(args) => issue(ctx, args),
        TokenCommand::Verify(args) => verify(ctx, args),
        TokenCommand::Revoke(args) => revoke(ctx, args),
        TokenCommand::List(args) => list(ctx, args),
        TokenCommand::Rotate(args) => rotate(ctx, args),
        TokenCommand::VerifierKeys(args) => verifier_keys(ctx, args),
    }
}

fn issue(ctx: &Context, args: IssueArgs) -> Result<()> {
    let ttl = token::parse_ttl(&args.ttl)?;
    token::check_audience_known(&args.audience, &known_servers(ctx)?)?;
    let request = TokenRequest {
        agent: args.agent,
        task: args.task,
        audience: args.audience,
        ttl,
        role: args.role.as_deref().map(role),
        skills: args.skills,
    };
    let claims = Claims::new(&request, token::now())?;
    let jwt = Authority::open(&ctx.home)?.issue(&claims)?;
    if args.json {
        return output::json(&serde_json::json!({ "token": jwt, "claims": claims }));
    }
    crate::cli::output::line(format_args!("{jwt}"))?;
    ctx.say(format!(
        "issued token {} to {} for {}, task {}, until {}",
        claims.jti,
        claims.sub,
        claims.aud,
        claims.task_id,
        rfc3339(claims.exp as i64)
    ));
    Ok(())
}

/// The servers a token of this project can be for: its compose services, its `[mcp_servers]`
/// and cfn itself.
fn known_servers(ctx: &Context) -> Result<Vec<String>> {
    let ws = Workspace::open(ctx)?;
    let files = crate::branch::files::load_compose_files(&ws, &ws.checkout.root)?;
    let mut servers = crate::compose::service_names(&files);
    servers
        .extend(ws.config.mcp_servers.keys().filter(|s| !servers.contains(s)).cloned().collect::<Vec<_>>());
    servers.push(CFN_SERVER.to_string());
    Ok(servers)
}

fn role(name: &str) -> Role {
    match name {
        "validator" => Role::Validator,
        "product-owner" => Role::ProductOwner,
        _ => Role::Implementer,
    }
}

fn verify(ctx: &Context, args: VerifyArgs) -> Result<()> {
    let jwt = token_text(&args.token)?;
    let authority = Authority::open(&ctx.home)?;
    let expected = Expected { audience: &args.audience, task: args.task.as_deref() };
    let claims = authority.verify(&jwt, &expected).map_err(|why| {
        let error = UserError::new(format!("token refused: {why}"));
        match why.hint() {
            Some(hint) => error.hint(hint),
            None => error,
        }
    })?;
    if args.json {
        return output::json(&claims);
    }
    let skills = if claims.skills.is_empty() { "-".to_string() } else { claims.skills.join(", ") };
    let rows = [
        ("agent (sub)", claims.sub.clone()),
        ("server (aud)", claims.aud.clone()),
        ("task_id", claims.task_id.clone()),
        ("role", claims.role.map_or("-", |r| r.as_str()).to_string()),
        ("skills", skills),
        ("jti", claims.jti.clone()),
        ("issued (iat)", rfc3339(claims.iat as i64)),
        ("expires (exp)", rfc3339(claims.exp as i64)),
    ];
    for (name, value) in rows {
        crate::cli::output::line(format_args!("{name:<14} {value}"))?;
    }
    Ok(())
}

fn revoke(ctx: &Context, args: RevokeArgs) -> Result<()> {
    let authority = Authority::open(&ctx.home)?;
    let outcome = match (&args.token, &args.jti) {
        (Some(jwt), _) => authority.revoke_token(&token_text(jwt)?)?,
        (None, Some(jti)) => authority.revoke_jti(jti)?,
        (None, None) => return Err(UserError::usage("name the token to revoke, or give --jti").into()),
    };
    match outcome {
        Revocation::Revoked { jti } => crate::cli::output::line(format_args!("revoked token {jti}"))?,
        Revocation::AlreadyRevoked { jti } => {
            crate::cli::output::line(format_args!("token {jti} was already revoked"))?
        }
        Revocation::AlreadyExpired { jti } => {
            crate::cli::output::line(format_args!("token {jti} has expired; nothing to revoke"))?
        }
    }
    Ok(())
}

fn list(ctx: &Context, args: ListArgs) -> Result<()> {
    let live = Authority::open(&ctx.home)?.live()?;
    if args.json {
        return output::json(&live);
    }
    let rows: Vec<Vec<String>> = live
        .iter()
        .map(|t| {
            vec![
                t.jti.clone(),
                t.agent.clone(),
                t.audience.clone(),
                t.task_id.clone(),
                t.role.clone().unwrap_or_else(|| "-".into()),
                rfc3339(t.expires_at as i64),
            ]
        })
        .collect();
    output::table(&["JTI", "AGENT", "SERVER", "TASK", "ROLE", "EXPIRES"], &rows)
}

fn rotate(ctx: &Context, args: RotateArgs) -> Result<()> {
    let mut authority = Authority::open(&ctx.home)?;
    let before = authority.keyring().keys().len();
    let ring = authority.rotate(args.drop_old_keys)?;
    crate::cli::output::line(format_args!("new signing key {}", ring.current().kid))?;
    if args.drop_old_keys {
        crate::cli::output::line(format_args!(
            "dropped {before} older key(s): every token issued before no longer verifies"
        ))?;
    }
    for key in &ring.keys()[1..] {
        let retired = key.retired.unwrap_or(key.created);
        let until = rfc3339((retired + token::MAX_TTL.as_secs()) as i64);
        crate::cli::output::line(format_args!(
            "key {} still verifies the tokens it signed (kept until {until})",
            key.kid
        ))?;
    }
    Ok(())
}

fn verifier_keys(ctx: &Context, args: VerifierKeysArgs) -> Result<()> {
    token::check_audience_known(&args.audience, &known_servers(ctx)?)?;
    if args.audience == CFN_SERVER {
        return Err(UserError::new("the audience `cfn` is cfn's own: its keys never leave $CFN_HOME")
            .hint("name an MCP server of the project with --audience")
            .into());
    }
    refuse_open_folder(&args.out)?;
    let keyring = token::key_file::load_or_create(&ctx.home, token::now())?;
    // A folder that exists is the user's: its mode is theirs to choose.
    let file = if args.out.is_dir() {
        token::verifier_file::write_into(&args.out, &keyring, &args.audience)?
    } else {
        token::verifier_file::write(&args.out, &keyring, &args.audience)?
    };
    crate::cli::output::line(format_args!(
        "wrote {}: the keys that check {}'s tokens; hand them to that server only, and again after `cfn token rotate`",
        file.display(),
        args.audience
    ))
}

/// Refuses a folder others may write into: they could replace the keys file with keys of their
/// own, and the server would take their tokens.
fn refuse_open_folder(dir: &std::path::Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let Ok(meta) = std::fs::metadata(dir) else { return Ok(()) };
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o022 != 0 {
        return Err(UserError::new(format!(
            "{} can be written by group or others (mode {mode:03o}): they could replace the keys",
            dir.display()
        ))
        .hint(format!("`chmod go-w {}`, or name a new folder (cfn creates it 0700)", dir.display()))
        .into());
    }
    Ok(())
}

/// The token argument, or what stdin holds (at most 64 KiB) for `-`; surrounding space trimmed.
fn token_text(arg: &str) -> Result<String> {
    if arg != "-" {
        return Ok(arg.trim().to_string());
    }
    let mut text = String::new();
    std::io::stdin().take(64 * 1024).read_to_string(&mut text)?;
    Ok(text.trim().to_string())
}
