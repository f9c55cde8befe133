//! Madd Store: the application crate (storage, providers, services, web, workers, CLI).

// `scripts/check-dead-code` builds the library with `--cfg madd_dead_code`: every module becomes
// crate-private, so the compiler reports a `pub` item nothing uses (only `cli`, what the binary
// runs, stays public). In every other build the modules are public for the integration tests.
macro_rules! modules {
    ($($name:ident),* $(,)?) => {
        $(
            #[cfg(not(madd_dead_code))]
            pub mod $name;
            #[cfg(madd_dead_code)]
            pub(crate) mod $name;
        )*
    };
}

pub mod cli;
modules!(
    app, backup, clock, config, db, demo, doctor, error, jobs, messenger, notify, passwords,
    payment, providers, secret, service, startup, supplier, telemetry, web,
);
