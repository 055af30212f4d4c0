use clap::{Args, Subcommand};

use intellicv_app::auth::accounts::{AccountInput, create_account};
use intellicv_app::config::Settings;
use intellicv_core::Role;
use intellicv_store::Store;

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a user account
    Create(CreateArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// E-mail address, used to log in
    #[arg(long)]
    pub email: String,
    /// Password (10 to 256 characters, not easy to guess); prefer the INTELLICV_USER_PASSWORD env var
    #[arg(long, env = "INTELLICV_USER_PASSWORD", hide_env_values = true)]
    pub password: String,
    /// admin, recruiter or candidate
    #[arg(long, value_parser = parse_role)]
    pub role: Role,
    /// Name shown in the portals
    #[arg(long)]
    pub name: Option<String>,
}

fn parse_role(raw: &str) -> Result<Role, String> {
    raw.parse()
        .map_err(|e: intellicv_core::ValidationError| e.reason)
}

pub async fn run(command: UsersCommand, settings: Settings) -> anyhow::Result<()> {
    let store = Store::connect(&settings.database_url(), &settings.database).await?;
    store.migrate().await?;
    let result = match command {
        UsersCommand::Create(args) => {
            let user = create_account(
                &store,
                AccountInput {
                    email: &args.email,
                    password: &args.password,
                    role: args.role,
                    display_name: args.name.as_deref(),
                },
            )
            .await;
            user.map(|u| println!("created user {} <{}> with role {}", u.id, u.email, u.role))
        }
    };
    store.close().await;
    Ok(result?)
}
