-- placeholder: filled by this change
select 1;
