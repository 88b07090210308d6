#if canImport(SwiftUI)
import CVConnectApple
import CVConnectKit
import SwiftUI

// "Mes appareils": DevicesFlow's states (CVConnectKit, tested on Linux) drawn through
// DevicesModel. Not compiled on Linux: it needs Xcode.

struct DevicesView: View {
    @ObservedObject var model: DevicesModel
    let onEnrollAgain: () -> Void

    var body: some View {
        switch model.state {
        case .loading:
            ProgressView("Chargement des appareils…")
        case let .list(rows, notice):
            List {
                if let notice { Text(notice) }
                ForEach(rows, id: \.deviceId) { row in DeviceLine(row: row) { model.startRevocation(deviceId: row.deviceId) } }
            }
            .navigationTitle("Mes appareils")
            .refreshable { model.refresh() }
        case let .pinEntry(device, layout, entered, required, _, message):
            RevocationPinView(device: device, layout: layout, entered: entered, required: required,
                              message: message, model: model)
        case let .sending(device):
            ProgressView("Déconnexion de « \(device.name) »…")
        case let .revoked(device):
            Outcome(title: "Appareil déconnecté", message: DevicesScreenState.revokedMessage(device), action: model.refresh)
        case .locked:
            Outcome(title: "Code bloqué", message: DevicesScreenState.lockedMessage, action: model.refresh)
        case let .error(message):
            Outcome(title: "Une erreur est survenue", message: message, action: model.refresh)
        case .thisPhoneDisconnected:
            ThisPhoneDisconnectedView(onEnrollAgain: onEnrollAgain)
        }
    }
}

/// What the whole app shows when any call found that this phone was revoked.
struct ThisPhoneDisconnectedView: View {
    let onEnrollAgain: () -> Void

    var body: some View {
        VStack(spacing: 16) {
            Text(DevicesScreenState.disconnectedTitle).font(.title2).bold()
            Text(DevicesScreenState.disconnectedMessage).multilineTextAlignment(.center)
            Button("Activer ce téléphone", action: onEnrollAgain).buttonStyle(.borderedProminent)
        }
        .padding()
    }
}

private struct DeviceLine: View {
    let row: DeviceRow
    let onRevoke: () -> Void

    var body: some View {
        HStack {
            VStack(alignment: .leading, spacing: 2) {
                Text(row.name).bold()
                if row.current { Text("Ce téléphone").foregroundColor(.accentColor) }
                Text(row.enrolledText).font(.footnote).foregroundColor(.secondary)
                Text(row.lastUsedText).font(.footnote).foregroundColor(.secondary)
            }
            .accessibilityElement(children: .combine)
            Spacer()
            if row.canRevoke { Button("Déconnecter", action: onRevoke) }
        }
    }
}

private struct RevocationPinView: View {
    let device: DeviceRow
    let layout: [Int]
    let entered: Int
    let required: Int
    let message: String?
    let model: DevicesModel

    var body: some View {
        VStack(spacing: 16) {
            Text("Code personnel").font(.title2)
            Text("Pour déconnecter « \(device.name) »")
            if let message { Text(message).foregroundColor(.red).multilineTextAlignment(.center) }
            Text("\(entered) chiffres saisis sur \(required)").accessibilityLabel("\(entered) chiffres saisis sur \(required)")
            ForEach(Array(PaymentScreenState.keyGrid.enumerated()), id: \.offset) { rowIndex, keys in
                HStack(spacing: 12) {
                    ForEach(Array(keys.enumerated()), id: \.offset) { column, position in
                        key(row: rowIndex, column: column, position: position)
                    }
                }
            }
            Button("Annuler") { model.cancel() }
        }
        .modifier(SnapshotProtection())
    }

    @ViewBuilder
    private func key(row: Int, column: Int, position: Int?) -> some View {
        if let position {
            Button(String(layout[position])) { model.press(position: position) }
                .font(.title).frame(width: 80, height: 80)
                .background(Circle().stroke(Color.secondary))
        } else if row == 3 && column == 0 {
            Button("Effacer") { model.erase() }.frame(width: 80, height: 80)
        } else if row == 3 && column == 2 {
            Button("Valider") { model.validate() }.frame(width: 80, height: 80).disabled(entered < required)
        } else {
            Color.clear.frame(width: 80, height: 80)
        }
    }
}

private struct Outcome: View {
    let title: String
    let message: String
    let action: () -> Void

    var body: some View {
        VStack(spacing: 16) {
            Text(title).font(.title2).bold()
            Text(message).multilineTextAlignment(.center)
            Button("Retour à mes appareils", action: action)
        }
        .padding()
    }
}
#endif
