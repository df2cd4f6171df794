//! One test binary (one link, fast): the real `tokenctl` against real SQLite files in
//! temp dirs. `util` builds the throwaway environment; each file covers one command or concern.

mod pty;
mod util;

mod smoke;
