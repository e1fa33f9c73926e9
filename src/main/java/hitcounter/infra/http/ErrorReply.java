package hitcounter.infra.http;

/** The JSON body of every 4xx/5xx answer: a short code and a sentence. */
public record ErrorReply(String error, String reason) {}
