"""The main window: a shell with the header, one stack of pages (`gui/pages/`) and the
wiring between them and the controller. It shows the controller's state and forwards
what the person asks for; no OAuth here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtGui import QCloseEvent, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from frameio_desktop.core.errors import ConfigError, WindowAction, WindowRemedy
from frameio_desktop.core.settings import Settings
from frameio_desktop.core.timefmt import format_expiry
from frameio_desktop.gui.clipboard import SecretClipboard
from frameio_desktop.gui.controller import Problem, SignInController, State
from frameio_desktop.gui.hosts import HostKeeper
from frameio_desktop.gui.notify import DesktopNotifier, Notifier
from frameio_desktop.gui.pages.busy import BusyPage
from frameio_desktop.gui.pages.error import ErrorPage
from frameio_desktop.gui.pages.header import Header
from frameio_desktop.gui.pages.parts import keep_together
from frameio_desktop.gui.pages.settings_needed import SettingsNeededPanel, settings_needed_text
from frameio_desktop.gui.pages.signed_in import SignedInPage
from frameio_desktop.gui.pages.signed_out import SignedOutPage
from frameio_desktop.gui.pages.waiting import SigningInPage
from frameio_desktop.gui.renewal_prompts import RenewalPrompts
from frameio_desktop.gui.settings_access import Configuration, SettingsAccess
from frameio_desktop.gui.settings_flow import SETTINGS_STATES, SettingsFlow
from frameio_desktop.gui.sign_in_host import HostFactory, Waiting
from frameio_desktop.gui.style import STYLE_SHEET


def shortcut(
    key: QKeySequence | QKeySequence.StandardKey, parent: QWidget, slot: Callable[[], object]
) -> QShortcut:
    item = QShortcut(key, parent)
    item.activated.connect(slot)
    return item


#: What the busy page says in each state that shows it.
BUSY_WORDS = {
    State.STARTING: ("Signing you in…", "Using your saved session. No password needed."),
    State.FINISHING: (
        "Finishing sign-in…",
        "Exchanging the authorization code and fetching your account.",
    ),
    State.SIGNING_OUT: (
        "Signing out…",
        "Ending the session at the server and clearing the keyring.",
    ),
}


class MainWindow(QMainWindow):
    def __init__(
        self,
        controller: SignInController,
        *,
        provider_title: str,
        client_id: str | None,
        profile: str | None,
        host_factory: HostFactory,
        icon: QIcon | None = None,
        settings_access: SettingsAccess | None = None,
        settings: Settings | None = None,
        browser_factory: HostFactory | None = None,
        notifier: Notifier | None = None,
    ) -> None:
        super().__init__()
        self.controller = controller
        self.setWindowTitle("Frame.io Desktop")
        if icon is not None:
            self.setWindowIcon(icon)
        self.setStyleSheet(STYLE_SHEET)
        self.setMinimumSize(440, 560)
        self.resize(560, 740)
        #: The copied access token's clipboard.
        self.clipboard = SecretClipboard(self)
        #: Tells a person who is not looking that the sign-in must be renewed by hand.
        self.renewal_prompts = RenewalPrompts(notifier or DesktopNotifier(self, icon), self)
        #: The settings form's life (open, save, close) and "Try the demo".
        self.settings = SettingsFlow(settings_access, controller, settings, self)
        #: What the error shown offers to do about it.
        self._remedy: WindowRemedy | None = None

        # -- header and pages -------------------------------------------------------------
        self.header = Header(provider_title, icon, settings=settings_access is not None)
        self.signing_in_page = SigningInPage()
        #: The sign-in hosts: which kind, and each one's life.
        self.hosts = HostKeeper(
            controller, self, self.signing_in_page.host_layout, host_factory, browser_factory
        )
        self.signed_out_page = SignedOutPage(
            where=host_factory.where,
            in_browser=host_factory.system_browser,
            browser_offered=self.hosts.browser_factory is not None,
            settings_needed=SettingsNeededPanel(
                offers_settings=settings_access is not None,
                offers_demo=self.settings.offers_demo,
            ),
        )
        self.signed_out_page.show_configuration(provider_title, client_id, profile)
        self.busy_page = BusyPage()
        self.signed_in_page = SignedInPage()
        self.error_page = ErrorPage()
        self.stack = QStackedWidget()
        for page in (
            self.signed_out_page,
            self.signing_in_page,
            self.busy_page,
            self.signed_in_page,
            self.error_page,
            self.settings.page,
        ):
            self.stack.addWidget(page)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._show_config_problem(controller.config_problem)
        self._add_shortcuts()
        self._connect_pages()
        self._connect_controller()
        self.show_state(controller.state)
        self.show_sunset()  # the controller may have changed state before this window

    def _add_shortcuts(self) -> None:
        shortcut(QKeySequence.StandardKey.Quit, self, self.close)
        shortcut(QKeySequence("F5"), self, self.controller.keeper.refresh_now)
        shortcut(QKeySequence.StandardKey.Refresh, self, self.controller.keeper.refresh_now)
        shortcut(QKeySequence("Ctrl+Shift+C"), self, self.copy_token)
        self.escape_shortcut = shortcut(QKeySequence.StandardKey.Cancel, self, self._escape)
        if self.settings.access is not None:
            # The platform's Preferences keys, and Ctrl+, where that is not one of them
            # (two shortcuts on one key would make it ambiguous, and neither would fire).
            preferences = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
            comma = QKeySequence("Ctrl+,")
            for keys in [*preferences, *([] if comma in preferences else [comma])]:
                shortcut(keys, self, self.open_settings)

    def _connect_pages(self) -> None:
        controller = self.controller
        self.header.settings_requested.connect(self.open_settings)
        signed_out = self.signed_out_page
        signed_out.sign_in_requested.connect(self.start_sign_in)
        signed_out.settings_needed.open_settings_requested.connect(self.open_settings)
        signed_out.settings_needed.try_demo_requested.connect(self.settings.try_demo)
        self.busy_page.cancel_requested.connect(controller.cancel)
        self.signing_in_page.waiting.show_requested.connect(self.hosts.raise_sign_in)
        self.signing_in_page.waiting.cancel_requested.connect(controller.cancel)
        signed_in = self.signed_in_page
        signed_in.copy_requested.connect(self.copy_token)
        signed_in.refresh_requested.connect(controller.keeper.refresh_now)
        signed_in.sign_out_requested.connect(controller.sign_out)
        signed_in.sign_in_again_requested.connect(self.sign_in_again)
        signed_in.account_picked.connect(controller.accounts.choose)
        self.error_page.retry_requested.connect(self._retry)
        self.error_page.back_requested.connect(controller.back_to_start)
        # Bound methods, not lambdas: a lambda holding the window would keep it alive.
        self.error_page.action_requested.connect(self._act_on_error)
        signed_out.sunset.action_requested.connect(self._act_on_sunset)
        signed_in.sunset.action_requested.connect(self._act_on_sunset)
        self.hosts.waiting.connect(self._show_waiting)
        self.hosts.sign_in_closed.connect(self.signing_in_page.hide_waiting)
        self.settings.opened.connect(self._settings_opened)
        self.settings.closed.connect(self._settings_closed)
        self.settings.applying.connect(self._show_configuration)
        self.settings.demo_failed.connect(signed_out.settings_needed.show_text)

    def _connect_controller(self) -> None:
        controller = self.controller
        controller.state_changed.connect(self.show_state)
        controller.signed_in_changed.connect(self.show_account)
        controller.signed_in_changed.connect(self.show_accounts)  # after show_account
        controller.accounts.accounts_changed.connect(self.show_accounts)
        controller.renewal.sign_in_needed_changed.connect(self.signed_in_page.show_sign_in_needed)
        controller.keeper.tick.connect(self.notify_if_away)
        controller.problem_changed.connect(self.show_problem)
        controller.banner_changed.connect(self.signed_in_page.show_banner)
        controller.keeper.tick.connect(self.update_expiry)
        controller.state_changed.connect(self.show_sunset)
        controller.keeper.tick.connect(self.show_sunset)

    # -- reacting to the controller ----------------------------------------------------

    def show_state(self, state: State) -> None:
        if state in (State.ERROR, State.SIGNED_OUT):
            self.hosts.drop_prepared()  # prepared for a sign-in that ended before its page
        pages: dict[State, QWidget] = {
            State.STARTING: self.busy_page,
            State.SIGNED_OUT: self.signed_out_page,
            State.SIGNING_IN: self.signing_in_page,
            State.FINISHING: self.busy_page,
            State.SIGNED_IN: self.signed_in_page,
            State.SIGNING_OUT: self.busy_page,
            State.ERROR: self.error_page,
        }
        if state in BUSY_WORDS:
            # Signing out cannot be cancelled half-way: the keyring is cleared whatever
            # happens.
            title, text = BUSY_WORDS[state]
            self.busy_page.show_busy(title, text, cancellable=state is not State.SIGNING_OUT)
        if state is State.SIGNED_OUT:
            self.signed_out_page.show_note(self.controller.last_note)
        self.header.enable_settings(state in SETTINGS_STATES)
        if self.settings.form is not None:
            return  # the form stays in front; closing it shows the state's page
        self.stack.setCurrentWidget(pages[state])
        if state is State.SIGNED_OUT:
            self.signed_out_page.focus_first()
        elif state is State.FINISHING:
            self.busy_page.cancel_button.setFocus()
        elif state is State.SIGNED_IN:
            self.signed_in_page.copy_button.setFocus()
        elif state is State.ERROR:
            self.error_page.retry_button.setFocus()

    def show_account(self) -> None:
        account = self.controller.user
        if account is not None:
            self.signed_in_page.show_account(
                account.display_name, account.email, account.id, account.account_id
            )
        else:
            self.signed_in_page.show_account(None, None, None, None)
        self.update_expiry(self.controller.clock())

    def update_expiry(self, now: datetime) -> None:
        tokens = self.controller.tokens
        if tokens is None:
            return
        when, _, left = format_expiry(tokens.expires_at, now).partition(" (")
        refresh = None
        if tokens.refresh_token is not None:
            refresh = (
                "expires " + keep_together(format_expiry(tokens.refresh_expires_at, now))
                if tokens.refresh_expires_at
                else "no expiry given"
            )
        until = tokens.signed_in_until
        self.signed_in_page.show_expiry(
            f"expires {when}",
            left.rstrip(")") if left else "",
            refresh=refresh,
            until=f"Signed in until {format_expiry(until, now)}" if until else None,
            can_refresh=tokens.refresh_token is not None and not self.controller.keeper.refreshing,
        )

    def show_accounts(self) -> None:
        controller = self.controller
        accounts = controller.accounts.listed
        self.signed_in_page.show_accounts(
            [(a.id, a.name) for a in accounts] if accounts is not None else None,
            controller.accounts.account_id,
            override=controller.accounts.override,
            problem=controller.accounts.problem,
        )

    def show_problem(self, problem: Problem | None) -> None:
        if problem is None:
            return
        self._remedy = problem.remedy
        action = problem.remedy.action if problem.remedy is not None else None
        if action is WindowAction.OPEN_SETTINGS and self.settings.access is None:
            action = None  # this window has no settings form
        if action is WindowAction.SIGN_IN_HERE and self.hosts.host_factory.system_browser:
            action = None  # this window signs in only in the browser
        label = action.value if action is not None else None
        self.error_page.show_problem(problem.title, problem.message, label)

    def show_sunset(self, *_: object) -> None:
        """The retiring provider's notice for today's date (by the controller's clock),
        and on the signed-out page what was ignored reading the settings (a `.env`'s keys
        it may not set, unknown settings-file keys: `Settings.warnings`)."""
        notice = self.controller.sunset_notice(settings=self.settings.access is not None)
        remedy = self.controller.sunset_remedy()
        action = remedy.action if remedy is not None and self.settings.access else None
        label = action.value if action is not None and notice else None
        session, problem = self.controller.session, self.controller.config_problem
        warnings = (
            session.settings.window_warnings
            if session
            else problem.window_warnings
            if problem
            else ()
        )
        text = "\n\n".join(filter(None, (notice, *warnings))) or None
        self.signed_out_page.show_sunset(text, label)
        self.signed_in_page.show_sunset(notice, label)

    def notify_if_away(self, now: datetime) -> None:
        """In the last minutes of a sign-in that needs the person, and only if the window
        is not in front: one desktop notification per sign-in."""
        tokens = self.controller.tokens
        if tokens is None or self.controller.renewal.sign_in_needed is None:
            return
        if self.controller.state is not State.SIGNED_IN:
            return
        self.renewal_prompts.check(tokens, now, window_in_front=self.isActiveWindow())

    def _show_waiting(self, waiting: Waiting) -> None:
        self.signing_in_page.show_waiting(waiting.title, waiting.text, waiting.show_button)

    def _show_config_problem(self, problem: ConfigError | None) -> None:
        text = settings_needed_text(
            problem, form=self.settings.access is not None, demo=self.settings.offers_demo
        )
        self.signed_out_page.show_settings_needed(text)

    def _act_on_error(self) -> None:
        self.act_on(self._remedy)

    def _act_on_sunset(self) -> None:
        self.act_on(self.controller.sunset_remedy())

    def act_on(self, remedy: WindowRemedy | None) -> None:
        """Do what an error or a notice offers: open the settings (on a field, with a
        provider chosen), or sign in in the app's own sign-in window."""
        action = remedy.action if remedy is not None else None
        if remedy is None or action is None:
            return
        if self.controller.state is State.ERROR:
            self.controller.back_to_start()
        if action is WindowAction.OPEN_SETTINGS:
            self.settings.open(setting=remedy.setting, provider=remedy.provider)
        elif action is WindowAction.SIGN_IN_HERE:
            self.start_sign_in(in_browser=False)

    # -- what the person asks for -------------------------------------------------------

    def start_sign_in(self, in_browser: bool = False) -> None:
        """Start a sign-in with the default host, or in the person's own browser."""
        factory = self.hosts.choose(in_browser)
        self.controller.sign_in(prepare_redirect=factory.prepare_redirect)

    def sign_in_again(self) -> None:
        """The renewal panel's button: a sign-in with the default host."""
        factory = self.hosts.choose(False)
        self.controller.sign_in_again(prepare_redirect=factory.prepare_redirect)

    def _retry(self) -> None:
        self.controller.back_to_start()
        self.start_sign_in(self.hosts.in_browser_now)

    def copy_token(self) -> None:
        tokens = self.controller.tokens
        if tokens is None or self.controller.state is not State.SIGNED_IN:
            return
        self.clipboard.copy(tokens.access_token)
        self.signed_in_page.show_copied()

    def _escape(self) -> None:
        if self.settings.form is not None:
            self.settings.close()
            return
        if self.controller.state in (State.FINISHING, State.SIGNING_IN):
            self.controller.cancel()

    # -- settings ------------------------------------------------------------------------

    def open_settings(self) -> None:
        """Show the settings form in place of the current page (not during a sign-in)."""
        self.settings.open()

    def close_settings(self) -> None:
        self.settings.close()

    def _settings_opened(self) -> None:
        # The form's own Escape closes it; the window's would make the key ambiguous.
        self.escape_shortcut.setEnabled(False)
        self.header.show_settings_button(False)
        self.stack.setCurrentWidget(self.settings.page)

    def _settings_closed(self) -> None:
        self.escape_shortcut.setEnabled(True)
        self.header.show_settings_button(True)
        self.show_state(self.controller.state)

    def _show_configuration(self, configuration: Configuration) -> None:
        settings = configuration.settings
        self.header.show_provider(configuration.provider_title)
        self.signed_out_page.show_configuration(
            configuration.provider_title,
            settings.client_id if settings else None,
            settings.profile if settings else None,
        )
        self._show_config_problem(configuration.problem)

    # -- the end ---------------------------------------------------------------------------

    def release_web_engine(self, timeout_ms: int = 5000) -> bool:
        """Close the sign-in page and wait until every host has released what it holds,
        so no web engine object or sign-in process outlives the window."""
        return self.hosts.release(timeout_ms)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt)
        if self.controller.state in (State.SIGNING_IN, State.FINISHING):
            self.controller.cancel()
        self.hosts.close_all()
        super().closeEvent(event)
