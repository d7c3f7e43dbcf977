interface SearchBoxProps {
  text: string;
  onChange(text: string): void;
  onClear(): void;
}

/** The search above the list: results as you type; Escape or × clears it. */
export function SearchBox({ text, onChange, onClear }: SearchBoxProps) {
  return (
    <div className="search" role="search">
      <input
        type="search"
        aria-label="Search notes"
        placeholder="Search notes"
        value={text}
        maxLength={200}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape") {
            event.preventDefault();
            onClear();
          }
        }}
      />
    </div>
  );
}
