import CVConnect

extension CvClientProtocol {
    /// Whether to present the notification of a push that just arrived while the app runs
    /// (`userNotificationCenter(_:willPresent:)`): false for a copy of a push this device
    /// already received, even before a restart (`receivePush` records each message id in
    /// the core's store). True otherwise, including when the core cannot tell: better a
    /// copy shown twice than a payment request missed. A tap is not an arrival: it opens
    /// the payment, copy or not (`openFromPush`).
    ///
    /// A push received in the background is shown by the system (and the notification
    /// service extension, which does not link the core): the core hears of it at the tap.
    public func shouldPresentArrivedPush(_ data: [String: String]) -> Bool {
        (try? receivePush(data: data))?.duplicate != true
    }
}
