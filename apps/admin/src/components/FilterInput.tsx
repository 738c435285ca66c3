import { TextInput, type TextInputProps } from "@mantine/core";
import { useDebouncedCallback } from "@mantine/hooks";
import { useEffect, useState } from "react";

interface FilterInputProps extends Omit<TextInputProps, "value" | "onChange"> {
  value: string;
  /** Called once typing pauses. */
  onChange: (value: string) => void;
}

/** A text filter that answers as you type without sending a request per keystroke. */
export function FilterInput({ value, onChange, ...props }: FilterInputProps) {
  const [text, setText] = useState(value);
  const commit = useDebouncedCallback(onChange, 300);
  // Follow the URL when it changes from outside (back and forward buttons, links).
  useEffect(() => setText(value), [value]);
  return (
    <TextInput
      type="search"
      {...props}
      value={text}
      onChange={(event) => {
        setText(event.currentTarget.value);
        commit(event.currentTarget.value);
      }}
    />
  );
}
