//! The interactive terminal phone: a person plays the beneficiary.
//!
//! The phone is enrolled through the core like the scripted demo; a background task
//! long-polls the sandbox's push feed (the emulated FCM/APNs) and hands each data map
//! to the core exactly as the apps do. The screens are a plain state machine
//! ([`state`]) drawn by ratatui ([`ui`]); this module wires keys, clicks, the push feed
//! and the core's answers together.

pub mod state;
pub mod ui;

use std::io::Write as _;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use cvconnect_core::client::{Client, PaymentSession};
use cvconnect_sandbox::Seed;
use cvconnect_testkit::{push_data, Options as WorldOptions, World, DEMO_EMAIL, DEMO_PIN};
use ratatui::crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event as TermEvent, KeyCode, KeyEventKind,
    KeyModifiers, MouseButton, MouseEventKind,
};
use ratatui::crossterm::execute;
use ratatui::layout::Position;

use state::{Effect, Event, Input, Notification, Phone};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub url: Option<String>,
    pub admin_token: Option<String>,
    pub email: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            url: None,
            admin_token: None,
            email: DEMO_EMAIL.to_owned(),
        }
    }
}

pub fn run(options: Options) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("impossible de démarrer le moteur asynchrone")?;
    let world = runtime.block_on(async {
        match (&options.url, &options.admin_token) {
            (Some(url), Some(token)) => World::connect(url, token).await,
            _ => World::start(WorldOptions::demo(Seed::demo().accounts)).await,
        }
    })?;
    let (phone, enrolled) = runtime.block_on(world.enroll_phone(&options.email))?;
    let embedded = options.url.is_none();
    let context = ui::Context {
        checkout_url: format!("{}/", world.base_url),
        account: enrolled.device.email_masked.clone(),
        pin_hint: (embedded && options.email == DEMO_EMAIL)
            .then(|| format!("Code personnel de démo : {DEMO_PIN}")),
    };
    println!("Sandbox : {}", world.base_url);
    println!(
        "Page marchand (à ouvrir dans un navigateur) : {}",
        context.checkout_url
    );
    println!(
        "Téléphone activé : {} ({})",
        enrolled.device.device_id, context.account
    );
    let _ = std::io::stdout().flush();

    let (tx, rx) = mpsc::channel();
    let poller = runtime.spawn(poll_pushes(
        world.admin.clone(),
        enrolled.device.device_id.clone(),
        tx.clone(),
    ));
    let core = Core {
        runtime: runtime.handle().clone(),
        client: phone.client.clone(),
        session: Arc::new(Mutex::new(None)),
        tx,
    };
    let result = run_terminal(&core, &rx, &context);
    poller.abort();
    runtime.block_on(world.shutdown());
    result
}

/// Long-polls the push feed of the phone's device and forwards each notification.
async fn poll_pushes(
    admin: cvconnect_sandbox_client::AdminClient,
    device_id: String,
    tx: mpsc::Sender<Event>,
) {
    let mut after = 0;
    loop {
        match admin.push_feed(Some(&device_id), after, 20_000).await {
            Ok(feed) => {
                for push in &feed.notifications {
                    let notification = Notification {
                        title: push.title.clone(),
                        body: push.body.clone(),
                        data: push_data(push),
                    };
                    if tx.send(Event::Push(notification)).is_err() {
                        return;
                    }
                }
                after = feed.next_after;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
}

/// Carries out the state machine's effects with the core.
struct Core {
    runtime: tokio::runtime::Handle,
    client: Arc<Client>,
    session: Arc<Mutex<Option<Arc<PaymentSession>>>>,
    tx: mpsc::Sender<Event>,
}

impl Core {
    fn session(&self) -> Option<Arc<PaymentSession>> {
        self.session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Runs `effect`; an answer that is immediate is returned, a slow one comes back
    /// through the channel.
    fn execute(&self, effect: Effect) -> Option<Event> {
        let no_session = || Some(Event::Failed("Aucune demande de paiement ouverte.".into()));
        match effect {
            Effect::Open(data) => {
                let (client, slot, tx) =
                    (self.client.clone(), self.session.clone(), self.tx.clone());
                self.runtime.spawn(async move {
                    let event = match client.open_from_push(&data).await {
                        Ok(session) => {
                            let view = session.view();
                            *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(session);
                            Event::Opened(view)
                        }
                        Err(error) => Event::Failed(error.user_message()),
                    };
                    let _ = tx.send(event);
                });
                None
            }
            Effect::SetAmount(text) => {
                let Some(session) = self.session() else {
                    return no_session();
                };
                Some(Event::AmountChecked(
                    session.set_amount(&text).map_err(|e| e.to_string()),
                ))
            }
            Effect::StartPinEntry => {
                let Some(session) = self.session() else {
                    return no_session();
                };
                Some(match session.start_pin_entry() {
                    Ok(keypad) => Event::KeypadReady(keypad),
                    Err(error) => Event::Failed(error.user_message()),
                })
            }
            Effect::Confirm(mut keypad) => {
                let Some(session) = self.session() else {
                    return no_session();
                };
                let tx = self.tx.clone();
                self.runtime.spawn(async move {
                    let result = session.confirm_keypad(&mut keypad).await;
                    let view = session.view();
                    let _ = tx.send(Event::Finished(
                        result.map_err(|e| e.user_message()),
                        Some(view),
                    ));
                });
                None
            }
            Effect::Decline => {
                let Some(session) = self.session() else {
                    return no_session();
                };
                let tx = self.tx.clone();
                self.runtime.spawn(async move {
                    let result = session.decline().await;
                    let view = session.view();
                    let _ = tx.send(Event::Finished(
                        result.map_err(|e| e.user_message()),
                        Some(view),
                    ));
                });
                None
            }
        }
    }

    /// Feeds `effect` and its immediate consequences back into the phone.
    fn apply(&self, phone: &mut Phone, mut effect: Option<Effect>) {
        while let Some(next) = effect.take() {
            if let Some(event) = self.execute(next) {
                effect = phone.on_event(event);
            }
        }
    }
}

fn run_terminal(
    core: &Core,
    rx: &mpsc::Receiver<Event>,
    context: &ui::Context,
) -> anyhow::Result<()> {
    let mut terminal = ratatui::try_init().context("ce mode demande un terminal interactif")?;
    let _ = execute!(std::io::stdout(), EnableMouseCapture);
    let result = event_loop(&mut terminal, core, rx, context);
    let _ = execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    core: &Core,
    rx: &mpsc::Receiver<Event>,
    context: &ui::Context,
) -> anyhow::Result<()> {
    let mut phone = Phone::new();
    let mut hits = ui::Hits::new();
    while !phone.quit {
        terminal.draw(|frame| hits = ui::draw(frame, &phone, context))?;
        while let Ok(event) = rx.try_recv() {
            let effect = phone.on_event(event);
            core.apply(&mut phone, effect);
        }
        if !event::poll(Duration::from_millis(50))? {
            continue;
        }
        let input = match event::read()? {
            TermEvent::Key(key) if key.kind != KeyEventKind::Release => {
                if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
                    Some(Input::Quit)
                } else {
                    key_input(key.code)
                }
            }
            TermEvent::Mouse(mouse) if mouse.kind == MouseEventKind::Down(MouseButton::Left) => {
                let at = Position::new(mouse.column, mouse.row);
                hits.iter()
                    .find(|(rect, _)| rect.contains(at))
                    .map(|(_, target)| Input::Click(*target))
            }
            _ => None,
        };
        if let Some(input) = input {
            let effect = phone.on_input(input);
            core.apply(&mut phone, effect);
        }
    }
    Ok(())
}

fn key_input(code: KeyCode) -> Option<Input> {
    Some(match code {
        KeyCode::Up => Input::Up,
        KeyCode::Down => Input::Down,
        KeyCode::Left => Input::Left,
        KeyCode::Right | KeyCode::Tab => Input::Right,
        KeyCode::BackTab => Input::Left,
        KeyCode::Enter => Input::Enter,
        KeyCode::Backspace | KeyCode::Delete => Input::Backspace,
        KeyCode::Esc => Input::Escape,
        KeyCode::Char(c) => Input::Char(c),
        _ => return None,
    })
}
