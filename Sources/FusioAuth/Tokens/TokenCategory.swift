/// `fusio_category` names of token origins (§4.6); the store resolves them to ids once.
public enum TokenCategory {
    /// Every OAuth grant at `/authorization/token`.
    public static let authorization = "authorization"
    /// `/consumer/login` and its refresh.
    public static let consumer = "consumer"
}
