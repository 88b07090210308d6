import CVConnect
import CVConnectApple
import CVConnectKit
import SwiftUI
import UIKit

// Every amount and message here is the core's French text (PaymentView.*Text,
// PaymentOutcome.message(), CvError.userMessage(), PaymentResult.balanceText): nothing
// is formatted in Swift. The screens draw PaymentFlow's states (CVConnectKit, tested on
// Linux) through PaymentModel.

struct RootView: View {
    @EnvironmentObject private var app: AppModel
    @EnvironmentObject private var payment: PaymentModel

    var body: some View {
        NavigationView {
            Group {
                if app.disconnected {
                    ThisPhoneDisconnectedView(onEnrollAgain: { app.startOver() })
                } else if !app.enrolled {
                    EnrollView()
                } else {
                    switch payment.state {
                    case .idle: PendingView()
                    case .loading: ProgressView("Chargement du paiement…")
                    case let .payment(screen): PaymentScreenView(screen: screen)
                    case let .pinEntry(entry): PinView(entry: entry).snapshotProtected()
                    case .sending: ProgressView("Envoi en cours…")
                    case let .result(result): ResultView(result: result)
                    case let .error(error): MessageView(message: error.message)
                    }
                }
            }
            .padding()
        }
        .navigationViewStyle(.stack)
    }
}

struct EnrollView: View {
    @EnvironmentObject private var app: AppModel
    @State private var email = ""
    @State private var code = ""

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Text("Activer Chèque-Vacances Connect").font(.title2)
            TextField("Adresse e-mail", text: $email)
                .textContentType(.emailAddress).keyboardType(.emailAddress)
                .textInputAutocapitalization(.never).autocorrectionDisabled()
                .accessibilityIdentifier("enroll-email")
            TextField("Code d'activation", text: $code)
                .textInputAutocapitalization(.characters).autocorrectionDisabled()
                .accessibilityIdentifier("enroll-code")
            if let error = app.enrollError { Text(error).foregroundColor(.red) }
            Button("Activer cet appareil") { app.enroll(email: email, code: code) }
                .disabled(app.enrolling || email.isEmpty || code.isEmpty)
            Spacer()
        }
        .textFieldStyle(.roundedBorder)
    }
}

/// Home: the balance and the payments waiting (covers a push that never arrived).
struct PendingView: View {
    @EnvironmentObject private var app: AppModel
    @EnvironmentObject private var pending: PendingPaymentsModel
    @EnvironmentObject private var payment: PaymentModel
    @EnvironmentObject private var devices: DevicesModel

    var body: some View {
        List {
            Section("Mon solde") {
                Text(pending.state.balanceText ?? "…").font(.title)
                if pending.state.balanceStale { Text("Dernier solde connu").font(.footnote) }
                if let error = pending.state.error { Text(error).foregroundColor(.red) }
                NavigationLink("Mes appareils") {
                    DevicesView(model: devices, onEnrollAgain: { app.startOver() })
                        .onAppear { devices.refresh() }
                }
            }
            Section("Paiements en attente") {
                if pending.state.payments.isEmpty { Text("Aucun paiement en attente.") }
                ForEach(pending.state.payments) { line in
                    Button { payment.openPayment(id: line.id) } label: {
                        HStack { Text(line.payeeName); Spacer(); Text(line.totalText) }
                    }
                }
            }
        }
        .refreshable { await pending.refresh() }
        .task { await pending.refresh() }
        .navigationTitle("Chèque-Vacances")
    }
}

struct PaymentScreenView: View {
    @EnvironmentObject private var payment: PaymentModel
    let screen: PaymentScreen
    @State private var amount = ""

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Text(screen.view.payeeName).font(.title2)
            LabeledLine(label: "Montant total", value: screen.view.totalText)
            LabeledLine(label: "Mon solde", value: screen.view.balanceText)
            TextField("Payé en Chèque-Vacances", text: $amount)
                .keyboardType(.decimalPad)
                .textFieldStyle(.roundedBorder)
                .accessibilityIdentifier("amount")
                .onChange(of: amount) { payment.setAmount($0) }
            if let amountError = screen.amountError { Text(amountError).foregroundColor(.red).font(.footnote) }
            if screen.hasRemainder { LabeledLine(label: "Reste à payer par carte", value: screen.view.remainderText) }
            Spacer()
            Button("Confirmer") { payment.startPinEntry() }
                .buttonStyle(.borderedProminent).frame(maxWidth: .infinity)
                .disabled(!screen.canConfirm)
            Button("Refuser", role: .destructive) { payment.decline() }.frame(maxWidth: .infinity)
        }
        .onAppear { if amount.isEmpty { amount = screen.view.amountText } }
        .toolbar { Button("Fermer") { payment.dismiss() } }
    }
}

/// The core's shuffled keypad: keys drawn from `layout`, touches sent as positions.
struct PinView: View {
    @EnvironmentObject private var payment: PaymentModel
    let entry: PinEntry

    var body: some View {
        VStack(spacing: 16) {
            Text("Code personnel").font(.title2)
            Text("\(entry.view.amountText) à \(entry.view.payeeName)")
            if let message = entry.message { Text(message).foregroundColor(.red).multilineTextAlignment(.center) }
            HStack(spacing: 12) {
                ForEach(0..<entry.required, id: \.self) { index in
                    Circle().fill(index < entry.entered ? Color.accentColor : Color.secondary.opacity(0.3))
                        .frame(width: 16, height: 16)
                }
            }
            .accessibilityElement(children: .ignore)
            .accessibilityLabel("\(entry.entered) chiffres saisis sur \(entry.required)")
            ForEach(Array(PaymentScreenState.keyGrid.enumerated()), id: \.offset) { rowIndex, row in
                HStack(spacing: 12) {
                    ForEach(Array(row.enumerated()), id: \.offset) { column, position in
                        key(row: rowIndex, column: column, position: position)
                    }
                }
            }
            Button("Annuler") { payment.cancelPinEntry() }
        }
    }

    @ViewBuilder
    private func key(row: Int, column: Int, position: Int?) -> some View {
        if let position {
            Button(String(entry.layout[position])) { payment.press(position: position) }
                .font(.title)
                .frame(width: 80, height: 80)
                .background(Circle().stroke(Color.secondary))
                .accessibilityIdentifier("pin-key")
        } else if row == 3 && column == 0 {
            Button("Effacer") { payment.erase() }.frame(width: 80, height: 80)
        } else if row == 3 && column == 2 {
            Button("Valider") { payment.validate() }.frame(width: 80, height: 80)
                .disabled(!entry.complete)
        } else {
            Color.clear.frame(width: 80, height: 80)
        }
    }
}

struct ResultView: View {
    @EnvironmentObject private var payment: PaymentModel
    let result: PaymentResult

    var body: some View {
        VStack(alignment: .leading, spacing: 16) {
            Text(result.message).font(.title2)
            if let remainder = result.remainderText { LabeledLine(label: "Reste à payer par carte", value: remainder) }
            if let balance = result.balanceText { LabeledLine(label: "Nouveau solde", value: balance) }
            Spacer()
            Button("Terminer") { payment.dismiss() }.buttonStyle(.borderedProminent)
        }
    }
}

struct MessageView: View {
    @EnvironmentObject private var payment: PaymentModel
    let message: String

    var body: some View {
        VStack(spacing: 16) {
            Text(message).foregroundColor(.red)
            Button("Retour") { payment.dismiss() }
        }
    }
}

struct LabeledLine: View {
    let label: String
    let value: String

    var body: some View {
        HStack { Text(label); Spacer(); Text(value).bold() }
    }
}

// MARK: - Snapshot protection

/// Hides the keypad whenever the screen could be captured: the app-switcher snapshot
/// (taken once the scene is no longer active), screen recording, AirPlay and mirroring
/// (`UIScreen.isCaptured`). A screenshot cannot be prevented on iOS; the layout changes
/// on every entry and the digits typed are never shown.
struct SnapshotProtection: ViewModifier {
    @Environment(\.scenePhase) private var scenePhase
    @State private var captured = UIScreen.main.isCaptured

    func body(content: Content) -> some View {
        let hidden = scenePhase != .active || captured
        ZStack {
            content.opacity(hidden ? 0 : 1)
            if hidden {
                VStack(spacing: 12) {
                    Image(systemName: "lock.shield").font(.largeTitle)
                    Text(captured ? "Saisie masquée pendant l'enregistrement de l'écran" : "Chèque-Vacances Connect")
                        .multilineTextAlignment(.center)
                }
                .frame(maxWidth: .infinity, maxHeight: .infinity)
                .background(Color(.systemBackground))
            }
        }
        .onReceive(NotificationCenter.default.publisher(for: UIScreen.capturedDidChangeNotification)) { _ in
            captured = UIScreen.main.isCaptured
        }
    }
}

extension View {
    func snapshotProtected() -> some View { modifier(SnapshotProtection()) }
}
