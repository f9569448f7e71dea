package dev.quiver.online;

/** A store that can count the rows it holds for a view (by scanning; not for hot paths). */
public interface SupportsRowCount extends OnlineStore {

  long rowCount(String view);
}
