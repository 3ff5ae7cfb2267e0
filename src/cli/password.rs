//! `wardround password`: a user sets their own password.

use color_eyre::eyre::Result;

use super::login::{log_in_first, set_own_password};
use super::Context;

pub async fn run(cx: &Context) -> Result<()> {
    let (client, resp, current) = log_in_first(&cx.config, cx.password_stdin).await?;
    set_own_password(&client, &resp.user.username, &current, cx.password_stdin).await?;
    Ok(())
}
