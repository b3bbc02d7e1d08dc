import FusioAuth
import Logging

/// What every operation of one thread shares: the operation rows and bearer checks, the rate limiter and the
/// request log.
public struct OperationServices {
    let tokens: any AccessTokenRepository
    let validator: BearerValidator
    let challenge: BearerChallenge
    let limiter: RateLimiter
    let logs: any OperationLogRepository
    let clientIP: ClientIPResolver
    let clock: any Clock
    let logger: Logger

    public init(tokens: any AccessTokenRepository, validator: BearerValidator, logs: any OperationLogRepository,
                clientIP: ClientIPResolver, baseURL: String, clock: any Clock, logger: Logger) {
        self.tokens = tokens
        self.validator = validator
        self.challenge = BearerChallenge(baseURL: baseURL)
        self.limiter = RateLimiter(logs: logs, clock: clock)
        self.logs = logs
        self.clientIP = clientIP
        self.clock = clock
        self.logger = logger
    }
}
